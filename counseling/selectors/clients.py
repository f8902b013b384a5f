"""Who is whose client: the relation every counselor-side read is scoped by."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from counseling.models import Booking, Intake


def counselor_client_q(*, counselor, client_field: str = "") -> Q:
    """Matches the clients of ``counselor``: a booking with them, or an intake they took on.

    ``client_field`` is the path from the filtered model to the client ("client" on an intake); empty
    when filtering users themselves.
    """
    client_ref = OuterRef(f"{client_field}_id" if client_field else "pk")
    return Q(Exists(Booking.objects.filter(client_id=client_ref, counselor=counselor))) | Q(
        Exists(Intake.objects.filter(client_id=client_ref, counselor=counselor))
    )


def client_list_for_counselor(*, counselor) -> QuerySet:
    return get_user_model().objects.filter(counselor_client_q(counselor=counselor)).order_by("pk")


def client_is_counselors(*, client_id: int, counselor) -> bool:
    return client_list_for_counselor(counselor=counselor).filter(pk=client_id).exists()
