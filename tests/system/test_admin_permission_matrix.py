"""Every admin screen × every kind of admin user × own and another counselor's object → the outcome.

The operations come from the admin registry: each registered model's changelist, change page,
delete page, history page and every action it declares. A model registered without a row in ROWS
fails ``test_every_registered_admin_has_a_row``; a new action gets checked without anyone listing it.

Callers: counselor A and counselor B (made by ``counselor_create``, so with the counselor group's
real permissions), staff (an admin login with no permissions), and the superuser (the owner).
Objects: one of counselor A and one of counselor B per model (for models without an owner, two).

Outcomes:
- shown: the changelist links the object; its change and history pages open (200); an action the
  page offers receives it.
- hidden: the changelist does not link it; its pages answer "not found" (a redirect to the admin
  index, or 403 where the page is refused anyway); no action receives it, nothing about it leaks.
- denied: 403 on every page and action.

Each request runs in a savepoint that is rolled back, so every caller meets the same world.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from accounts.services import counselor_create
from counseling.models import AccessRecord, Pattern, StepSuggestion, Worksheet, WorksheetTemplate
from counseling.services.access import access_record
from courses.services.enrollments import enrollment_create
from newsletter.models import SendSlot, Suppression, TrackingEvent, Workbook
from outbox.services import email_enqueue
from payments.models import StripeEvent
from privacy.services import privacy_policy_publish
from tests.accounts.factories import PASSWORD, CounselorFactory, UserFactory
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    CounselorProfileFactory,
    IntakeFactory,
    SessionNoteFactory,
    SessionTypeFactory,
    TimeOffFactory,
    WorksheetFactory,
    client_of,
)
from tests.courses.factories import CourseFactory
from tests.newsletter.factories import BroadcastFactory, LessonFactory, SubscriberFactory
from tests.payments.factories import LedgerEntryFactory, PaymentFactory, ReceiptFactory, RefundFactory

pytestmark = pytest.mark.django_db

ROLES = ("counselor_a", "counselor_b", "staff", "superuser")
OWNERS = ("a", "b")
SHOWN, HIDDEN, DENIED = "shown", "hidden", "denied"


def _own_records(role: str, owner: str) -> str:
    return SHOWN if role == f"counselor_{owner}" else HIDDEN


# Who sees what, by the kind of screen.
SCOPES: dict[str, Callable[[str, str], str]] = {
    # A counselor's own records; the owner (superuser) sees every counselor's.
    "owned": lambda role, owner: {"staff": DENIED, "superuser": SHOWN}.get(role) or _own_records(role, owner),
    # Only the counselor who wrote or assigned it, superusers included.
    "author": lambda role, owner: DENIED if role == "staff" else _own_records(role, owner),
    # The practice's shared material (the method's vocabulary, the newsletter): every counselor.
    "practice": lambda role, owner: DENIED if role == "staff" else SHOWN,
    # Accounts, tokens, login attempts, the outbox: the owner alone.
    "superuser": lambda role, owner: SHOWN if role == "superuser" else DENIED,
}


@dataclass
class World:
    counselor_a: object
    counselor_b: object
    staff: object
    superuser: object

    def counselor(self, owner: str):
        return self.counselor_a if owner == "a" else self.counselor_b


def _submitted_worksheet(counselor):
    return WorksheetFactory(
        counselor=counselor, status=Worksheet.Status.SUBMITTED, submitted_at=timezone.now()
    )


def _access_row(counselor):
    note = SessionNoteFactory(counselor=counselor)
    return access_record(user=counselor, obj_or_objs=note, action=AccessRecord.Action.READ, ip=None)[0]


def _outbox_row(counselor):
    client = client_of(counselor)
    email, _created = email_enqueue(
        kind="counseling.worksheet_assigned",
        recipient=client.email,
        key="1",
        subject="s",
        text="t",
        send=False,
    )
    return email


def _enrollment(counselor):
    course = CourseFactory(counselor=counselor)
    enrollment, _created = enrollment_create(
        course=course, guest_name="ゲスト", guest_email=f"guest-{counselor.pk}@example.com"
    )
    return enrollment


def _axes_fields(counselor) -> dict:
    return {"username": counselor.email, "ip_address": "203.0.113.5", "user_agent": "x", "path_info": "/"}


def _workbook(counselor):
    workbook = Workbook(title=f"ワークブック {counselor.pk}")
    workbook.file.save(f"workbook-{counselor.pk}.pdf", ContentFile(b"%PDF-1.4"), save=False)
    workbook.save()
    return workbook


_slot_days = iter(range(1, 10_000))

# model label → (scope, a maker of one object given its counselor)
ROWS: dict[str, tuple[str, Callable]] = {
    "auth.group": ("superuser", lambda c: Group.objects.create(name=f"group-{c.pk}")),
    "knox.authtoken": ("superuser", lambda c: AuthToken.objects.create(user=c)[0]),
    "axes.accessattempt": (
        "superuser",
        lambda c: AccessAttempt.objects.create(
            **_axes_fields(c), http_accept="*/*", get_data="", post_data="", failures_since_start=1
        ),
    ),
    "axes.accesslog": ("superuser", lambda c: AccessLog.objects.create(**_axes_fields(c), http_accept="*/*")),
    "axes.accessfailurelog": (
        "superuser",
        lambda c: AccessFailureLog.objects.create(**_axes_fields(c), http_accept="*/*"),
    ),
    "accounts.user": ("superuser", lambda c: c),
    "outbox.outboundemail": ("superuser", _outbox_row),
    "counseling.sessiontype": ("owned", lambda c: SessionTypeFactory(counselor=c)),
    "counseling.availabilityrule": ("owned", lambda c: AvailabilityRuleFactory(counselor=c)),
    "counseling.timeoff": ("owned", lambda c: TimeOffFactory(counselor=c)),
    "counseling.counselorprofile": ("owned", lambda c: CounselorProfileFactory(counselor=c)),
    "counseling.booking": ("owned", lambda c: BookingFactory(session_type=SessionTypeFactory(counselor=c))),
    "counseling.intake": ("owned", lambda c: IntakeFactory(counselor=c, status="accepted")),
    "counseling.pattern": ("practice", lambda c: Pattern.objects.order_by("position")[c.pk % 2]),
    "counseling.worksheettemplate": (
        "practice",
        lambda c: WorksheetTemplate.objects.order_by("pk")[c.pk % 2],
    ),
    # The practice's own reason → step suggestions: a pair per counselor that the defaults lack.
    "counseling.stepsuggestion": (
        "practice",
        lambda c: StepSuggestion.objects.create(
            reason=Pattern.objects.get(code="reason.self_sacrifice"),
            step=Pattern.objects.get(code=f"step.{1 + c.pk % 2}"),
        ),
    ),
    "counseling.sessionnote": ("author", lambda c: SessionNoteFactory(counselor=c)),
    "counseling.worksheet": ("author", lambda c: WorksheetFactory(counselor=c)),
    "counseling.submittedworksheet": ("author", _submitted_worksheet),
    "counseling.accessrecord": ("owned", _access_row),
    "newsletter.subscriber": ("practice", lambda c: SubscriberFactory(email=f"reader-{c.pk}@example.com")),
    "newsletter.lesson": ("practice", lambda c: LessonFactory()),
    "newsletter.broadcast": (
        "practice",
        lambda c: BroadcastFactory(send_at=timezone.now() + timedelta(days=3)),
    ),
    "newsletter.workbook": ("practice", _workbook),
    "newsletter.sendslot": (
        "practice",
        lambda c: SendSlot.objects.create(
            starts_at=timezone.now() + timedelta(days=next(_slot_days)), planning_started_at=timezone.now()
        ),
    ),
    "newsletter.suppression": (
        "practice",
        lambda c: Suppression.objects.create(email=f"gone-{c.pk}@example.com", reason="bounce"),
    ),
    "newsletter.trackingevent": (
        "practice",
        lambda c: TrackingEvent.objects.create(
            esp_name="postmark", event_id=f"e{c.pk}", event_type="bounced"
        ),
    ),
    "courses.course": ("owned", lambda c: CourseFactory(counselor=c)),
    "payments.payment": ("owned", lambda c: PaymentFactory(counselor=c)),
    "payments.refund": ("owned", lambda c: RefundFactory(payment=PaymentFactory(counselor=c, status="paid"))),
    "payments.receipt": (
        "owned",
        lambda c: ReceiptFactory(payment=PaymentFactory(counselor=c, status="paid")),
    ),
    "payments.ledgerentry": ("owned", lambda c: LedgerEntryFactory(payment=PaymentFactory(counselor=c))),
    "payments.stripeevent": (
        "superuser",
        lambda c: StripeEvent.objects.create(
            event_id=f"evt_{c.pk}", type="checkout.session.completed", created=timezone.now(), payload={}
        ),
    ),
    "courses.enrollment": ("owned", _enrollment),
    # The privacy policy: the owner publishes versions; published ones are read-only to everyone.
    "privacy.privacypolicy": (
        "superuser",
        lambda c: privacy_policy_publish(version=date(2030, 1, 1) + timedelta(days=c.pk), body="## 改定版"),
    ),
}


def _registered() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}


def _operations(model_admin) -> list[str]:
    actions = [f"action:{name}" for _func, name, _description in model_admin._get_base_actions()]
    return ["changelist", "change", "delete", "history", *actions]


def test_every_registered_admin_has_a_row():
    assert set(_registered()) == set(ROWS)


def _world() -> World:
    counselor_a = counselor_create(email="counselor-a@example.com", password=PASSWORD, display_name="A")
    counselor_b = counselor_create(email="counselor-b@example.com", password=PASSWORD, display_name="B")
    staff = UserFactory(email="staff@example.com", is_staff=True)
    superuser = CounselorFactory(email="owner@example.com", is_superuser=True)
    return World(counselor_a, counselor_b, staff, superuser)


def _spy_on_actions(model_admin, monkeypatch) -> list:
    """Records the primary keys every action receives, then runs the action itself."""
    received: list = []
    original = model_admin.get_actions

    def spied(request):
        def wrap(func):
            def action(modeladmin, request, queryset):
                received.extend(queryset.values_list("pk", flat=True))
                return func(modeladmin, request, queryset)

            return action

        return {name: (wrap(func), name, text) for name, (func, name, text) in original(request).items()}

    monkeypatch.setattr(model_admin, "get_actions", spied)
    return received


def _check(client, base: str, operation: str, obj, expected: str, received: list) -> str | None:
    """Performs one operation on ``obj``; returns what went wrong, or None."""
    link = f"{base}{obj.pk}/change/"
    if operation == "changelist":
        response = client.get(base)
        if expected == DENIED:
            return None if response.status_code == 403 else f"{response.status_code}, not 403"
        if response.status_code != 200:
            return f"changelist answered {response.status_code}"
        if (link in response.content.decode()) != (expected == SHOWN):
            return "object linked" if expected == HIDDEN else "object missing"
        return None
    if operation.startswith("action:"):
        name = operation.removeprefix("action:")
        offered = client.get(base)
        received.clear()
        response = client.post(base, {"action": name, "_selected_action": [obj.pk], "index": 0})
        if expected == DENIED:
            return None if response.status_code == 403 else f"{response.status_code}, not 403"
        if expected == HIDDEN:
            return f"action received {received}" if obj.pk in received else None
        if f'value="{name}"' in offered.content.decode() and obj.pk not in received:
            return "offered action did not receive the object"
        return None
    path = f"{base}{obj.pk}/{operation}/"
    response = client.get(path)
    # A page refused or "not found" either way: Django looks the object up before it asks for permission.
    allowed = {SHOWN: {200}, HIDDEN: {302}, DENIED: {302, 403}}[expected]
    if operation == "delete":  # refused to everyone on models that are never deleted
        allowed = allowed | {403}
    if response.status_code not in allowed:
        return f"{response.status_code}, not {sorted(allowed)}"
    if expected != SHOWN and response.status_code == 302 and response["Location"] != "/admin/":
        return f"redirected to {response['Location']}"
    return None


@pytest.mark.parametrize("label", sorted(ROWS))
def test_admin_screen_reaches_only_what_the_caller_may_see(label, monkeypatch):
    model_admin = _registered()[label]
    scope, make = ROWS[label]
    world = _world()
    objects = {owner: make(world.counselor(owner)) for owner in OWNERS}
    base = f"/admin/{label.replace('.', '/')}/"
    received = _spy_on_actions(model_admin, monkeypatch)
    failures = []
    for role in ROLES:
        client = Client()
        client.force_login(getattr(world, role))
        for operation in _operations(model_admin):
            for owner, obj in objects.items():
                expected = SCOPES[scope](role, owner)
                with transaction.atomic():
                    problem = _check(client, base, operation, obj, expected, received)
                    transaction.set_rollback(True)
                if problem:
                    failures.append(f"{role} {operation} {owner}'s ({expected}): {problem}")
    assert failures == []
