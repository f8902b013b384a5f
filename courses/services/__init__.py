"""Every write to courses, one module per area: scheduling.py (create, change, cancel a course),
enrollments.py (enrollment under capacity, cancellation, the waitlist) and reminders.py."""
