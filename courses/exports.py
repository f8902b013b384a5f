from django.db.models import Q

from core.personal_data import register_exporter
from courses.models import Enrollment


@register_exporter("course_enrollments")
def course_enrollments_export(user) -> list[dict]:
    """The client's enrollments, and those made as a guest with the address they have verified."""
    mine = Q(user=user)
    if user.email_verified:
        mine |= Q(user__isnull=True, guest_email__iexact=user.email)
    enrollments = (
        Enrollment.objects.filter(mine)
        .select_related("course")
        .prefetch_related("course__sessions")
        .order_by("id")
    )
    return [
        {
            "id": enrollment.pk,
            "course": enrollment.course.title,
            "format": enrollment.course.format,
            "sessions": [
                {"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()}
                for s in enrollment.course.sessions.all()
            ],
            "enrolled_as": "client" if enrollment.user_id else "guest",
            "guest_name": enrollment.guest_name,
            "guest_email": enrollment.guest_email,
            "status": enrollment.status,
            "enrolled_at": enrollment.created_at.isoformat(),
            "confirmed_at": enrollment.confirmed_at.isoformat() if enrollment.confirmed_at else None,
            "promoted_at": enrollment.promoted_at.isoformat() if enrollment.promoted_at else None,
            "cancelled_at": enrollment.cancelled_at.isoformat() if enrollment.cancelled_at else None,
        }
        for enrollment in enrollments
    ]
