"""The counseling API: thin views that parse, call one service or selector, and serialize."""
