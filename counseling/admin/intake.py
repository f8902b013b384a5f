"""Intakes by status with the self-check and the suggested steps; status changes go through the service."""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import run_on_each
from counseling.admin.common import AccessLoggedAdmin
from counseling.models import (
    Intake,
    IntakeAnswer,
)
from counseling.selectors.intakes import intake_list
from counseling.selectors.patterns import suggestions_for_answers
from counseling.self_check import self_check_statement
from counseling.services.access import request_ip
from counseling.services.intakes import intake_set_status


class IntakeAnswerInline(admin.TabularInline):
    model = IntakeAnswer
    fields = ("reason", "statement", "score")
    readonly_fields = ("reason", "statement", "score")
    extra = 0
    can_delete = False

    @admin.display(description=_("質問文"))
    def statement(self, answer: IntakeAnswer) -> str:
        return self_check_statement(answer.reason.code)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Intake)
class IntakeAdmin(AccessLoggedAdmin):
    list_display = ("created_at", "client", "status", "in_crisis", "preferred_format", "suggested_steps")
    list_filter = ("status", "in_crisis", "preferred_format")
    search_fields = ("client__email", "client__display_name")
    ordering = ("-created_at",)
    inlines = (IntakeAnswerInline,)
    actions = ("mark_reviewed", "mark_accepted", "mark_declined")
    fields = (
        "client",
        "counselor",
        "status",
        "in_crisis",
        "scene_list",
        "concern",
        "preferred_format",
        "contact",
        "suggestions",
        "consent_version",
        "consented_at",
        "status_changed_at",
        "status_changed_by",
    )
    readonly_fields = fields

    def get_queryset(self, request) -> QuerySet:
        if request.user.is_superuser:
            return super().get_queryset(request).prefetch_related("answers__reason__suggested_steps")
        return intake_list(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False  # Clients submit intakes themselves, with their consent.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("場面"))
    def scene_list(self, intake: Intake) -> str:
        return "、".join(scene.label_ja for scene in intake.scenes.all())

    @admin.display(description=_("当相談室の推奨ステップ"))
    def suggested_steps(self, intake: Intake) -> str:
        steps = suggestions_for_answers(list(intake.answers.all()))["steps"]
        return "、".join(step.code for step in steps) or "—"

    @admin.display(description=_("当相談室の提案（カウンセラーのみ。理由とステップの対応は当相談室の設定）"))
    def suggestions(self, intake: Intake):
        found = suggestions_for_answers(list(intake.answers.all()))
        rows = [(_("理由"), pattern.label_ja) for pattern in found["patterns"]]
        rows += [(_("ステップ"), f"{step.code} {step.label_ja}") for step in found["steps"]]
        if not rows:
            return _("4以上の回答はありません。")
        return format_html_join("", "<div>{}: {}</div>", rows)

    def _set_status(self, request, queryset, status, done_message):
        run_on_each(
            self,
            request,
            queryset,
            lambda intake: intake_set_status(
                intake=intake, counselor=request.user, status=status, ip=request_ip(request)
            ),
            done_message,
        )

    @admin.action(description=_("確認済みにする"))
    def mark_reviewed(self, request, queryset):
        self._set_status(request, queryset, Intake.Status.REVIEWED, _("%(count)s件を確認済みにしました。"))

    @admin.action(description=_("受け入れる（クライアントに通知）"))
    def mark_accepted(self, request, queryset):
        self._set_status(request, queryset, Intake.Status.ACCEPTED, _("%(count)s件を受け入れました。"))

    @admin.action(description=_("お断りする（クライアントに通知）"))
    def mark_declined(self, request, queryset):
        self._set_status(request, queryset, Intake.Status.DECLINED, _("%(count)s件をお断りしました。"))
