"""Email addresses as every app stores and looks them up."""


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased throughout: one person, one address, whatever they typed.

    Lower-casing the local part too is deliberate: no provider our clients use tells addresses apart
    by case, and a second account or subscription for "Hanako@" beside "hanako@" would be a bug.
    """
    return email.strip().lower()
