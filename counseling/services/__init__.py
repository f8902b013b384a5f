"""Every write of the counseling app, one module per area (intakes, availability, bookings, reminders,
notes, worksheets) and the access log of sensitive records (access)."""
