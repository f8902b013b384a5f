"""Intakes: a client's submission, the crisis alert, the counselor's decision."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from core.links import absolute_url
from core.localtime import local_label
from counseling.models import AccessRecord, Intake, IntakeAnswer, Pattern
from counseling.selectors.patterns import self_check_reasons
from counseling.services.access import access_record
from outbox.services import email_enqueue_template
from privacy.selectors import privacy_policy_current

# Which status may follow which; accepted and declined are final.
TRANSITIONS: dict[str, set[str]] = {
    Intake.Status.SUBMITTED: {Intake.Status.REVIEWED, Intake.Status.ACCEPTED, Intake.Status.DECLINED},
    Intake.Status.REVIEWED: {Intake.Status.ACCEPTED, Intake.Status.DECLINED},
    Intake.Status.ACCEPTED: set(),
    Intake.Status.DECLINED: set(),
}


def intake_decidable_by(*, intake: Intake, counselor) -> bool:
    """Whether ``counselor`` may still accept or decline ``intake`` (what ``intake_set_status`` allows)."""
    return (
        counselor.is_counselor
        and intake.counselor_id in (None, counselor.pk)
        and Intake.Status.ACCEPTED in TRANSITIONS[intake.status]
    )


def _scene_patterns(codes: list[str]) -> list[Pattern]:
    if not codes:
        raise ApplicationError(
            _("場面を1つ以上選んでください。"), extra={"scenes": [_("1つ以上選んでください。")]}
        )
    unique_codes = list(dict.fromkeys(codes))
    scenes = {p.code: p for p in Pattern.objects.filter(kind=Pattern.Kind.SCENE, code__in=unique_codes)}
    unknown = [code for code in unique_codes if code not in scenes]
    if unknown:
        raise ApplicationError(
            _("選べない場面が含まれています。"),
            extra={"scenes": [_("不明な場面です: %(codes)s") % {"codes": ", ".join(unknown)}]},
        )
    return [scenes[code] for code in unique_codes]


def _self_check_answers(self_check: dict) -> list[tuple[Pattern, int]]:
    reasons = list(self_check_reasons())
    expected = {reason.code for reason in reasons}
    given = set(self_check)
    if given != expected:
        missing, unknown = sorted(expected - given), sorted(given - expected)
        problems = []
        if missing:
            problems.append(_("未回答の項目があります: %(codes)s") % {"codes": ", ".join(missing)})
        if unknown:
            problems.append(_("不明な項目です: %(codes)s") % {"codes": ", ".join(unknown)})
        raise ApplicationError(
            _("セルフチェックの5つの項目すべてにお答えください。"), extra={"self_check": problems}
        )
    answers = []
    for reason in reasons:
        score = self_check[reason.code]
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ApplicationError(
                _("セルフチェックは1〜5でお答えください。"),
                extra={"self_check": [_("%(code)s は1〜5の整数で答えてください。") % {"code": reason.code}]},
            )
        answers.append((reason, score))
    return answers


def counselor_alert_recipients() -> list[str]:
    """The practice's notification address when set, otherwise every active counselor."""
    if settings.COUNSELOR_NOTIFICATION_EMAIL:
        return [settings.COUNSELOR_NOTIFICATION_EMAIL]
    User = get_user_model()
    return list(
        User.objects.filter(role=User.Role.COUNSELOR, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _alert_crisis(intake: Intake) -> None:
    # The alert carries how to reach the client, not what they wrote: mail is not the place for it.
    for recipient in counselor_alert_recipients():
        email_enqueue_template(
            kind="counseling.intake_crisis",
            recipient=recipient,
            key=str(intake.pk),
            template="counseling/email/intake_crisis",
            template_context={
                "intake": intake,
                "client": intake.client,
                "received_label": local_label(intake.created_at),
                "practice_name": settings.PRACTICE_NAME,
                "admin_url": absolute_url("counselor:intake", intake_id=intake.pk),
            },
            headers={"X-Priority": "1 (Highest)", "Importance": "High"},
        )


@transaction.atomic
def intake_submit(
    *,
    client,
    scenes: list[str],
    self_check: dict[str, int],
    concern: str,
    preferred_format: str,
    contact: str,
    consent: bool,
    in_crisis: bool = False,
    ip: str | None = None,
) -> Intake:
    if not client.is_client:
        raise ApplicationError(_("インテークはクライアントのみが提出できます。"))
    if consent is not True:
        raise ApplicationError(
            _("プライバシーポリシーへの同意が必要です。"), extra={"consent": [_("同意してください。")]}
        )
    if not concern.strip():
        raise ApplicationError(
            _("ご相談内容を入力してください。"), extra={"concern": [_("入力してください。")]}
        )
    if not contact.strip():
        raise ApplicationError(
            _("連絡方法を入力してください。"), extra={"contact": [_("入力してください。")]}
        )
    scene_patterns = _scene_patterns(scenes)
    answers = _self_check_answers(self_check)

    intake = Intake(
        client=client,
        concern=concern.strip(),
        preferred_format=preferred_format,
        contact=contact.strip(),
        in_crisis=in_crisis,
        consent_version=privacy_policy_current().version.isoformat(),
        consented_at=timezone.now(),
    )
    intake.full_clean(validate_constraints=False)
    intake.save()
    intake.scenes.set(scene_patterns)
    IntakeAnswer.objects.bulk_create(
        [IntakeAnswer(intake=intake, reason=reason, score=score) for reason, score in answers]
    )
    access_record(user=client, obj_or_objs=intake, action=AccessRecord.Action.CREATE, ip=ip)
    if in_crisis:
        _alert_crisis(intake)
    return intake


@transaction.atomic
def intake_set_status(*, intake: Intake, counselor, status: str, ip: str | None = None) -> Intake:
    """The counselor moves the intake on and takes it; the client hears of acceptance or decline."""
    if not counselor.is_counselor:
        raise ApplicationError(_("カウンセラーのみが状態を変更できます。"))
    intake = Intake.objects.select_for_update().select_related("client").get(pk=intake.pk)
    if intake.counselor_id not in (None, counselor.pk):
        raise ConflictError(_("このインテークは別のカウンセラーが担当しています。"))
    if status not in TRANSITIONS[intake.status]:
        raise ConflictError(
            _("「%(current)s」から「%(new)s」には変更できません。")
            % {"current": intake.get_status_display(), "new": Intake.Status(status).label},
            extra={"status": intake.status},
        )
    intake.status = status
    intake.status_changed_at = timezone.now()
    intake.status_changed_by = counselor
    intake.counselor = counselor
    intake.save(update_fields=["status", "status_changed_at", "status_changed_by", "counselor", "updated_at"])
    access_record(user=counselor, obj_or_objs=intake, action=AccessRecord.Action.STATUS, ip=ip)
    if status in (Intake.Status.ACCEPTED, Intake.Status.DECLINED):
        email_enqueue_template(
            kind=f"counseling.intake_{status}",
            recipient=intake.client.email,
            key=str(intake.pk),
            template=f"counseling/email/intake_{status}",
            template_context={
                "intake": intake,
                "client": intake.client,
                "site_url": settings.SITE_URL,
                "practice_name": settings.PRACTICE_NAME,
            },
        )
    return intake
