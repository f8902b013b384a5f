"""Every write of the newsletter: subscribers.py (opt-in, workbook, unsubscribe, suppression),
content.py (lessons, broadcasts, workbook upload, test sends), planning.py (send slots) and
tracking.py (ESP events)."""
