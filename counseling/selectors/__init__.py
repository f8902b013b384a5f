"""Reads of the counseling app, one module per area; each scopes what a user may see."""
