"""How a session type or a course is paid for: the practice chooses one per session type and course.

Kept apart from the models so that counseling and courses can name the choices without importing
the payments app's models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    # Nothing is collected through the site: the practice says how (the course's own instructions).
    ARRANGED = "arranged", _("別途ご案内")
    # Stripe Checkout: card with 3-D Secure, and konbini when the session is far enough ahead.
    ONLINE = "online", _("オンライン決済（カード・コンビニ）")
    TRANSFER = "transfer", _("銀行振込（事前）")
    # Paid in cash at the Tokyo or Nagoya venue; never for an online session.
    VENUE = "venue", _("当日会場でお支払い")


# Methods paid before the session: the booking or seat is held (pending_payment) until paid.
ADVANCE_METHODS = (PaymentMethod.ONLINE, PaymentMethod.TRANSFER)
