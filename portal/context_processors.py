from django.conf import settings


def practice(request) -> dict:
    """Who runs the site, on every page: the header, the footer and the newsletter's consent."""
    return {
        "practice_name": settings.PRACTICE_NAME,
        "practice_postal_address": settings.PRACTICE_POSTAL_ADDRESS,
        "practice_contact_email": settings.PRACTICE_CONTACT_EMAIL,
    }
