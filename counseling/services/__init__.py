"""Every write of the counseling app, one module per area (intakes, availability, bookings, reminders)."""
