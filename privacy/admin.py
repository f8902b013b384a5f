from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from privacy import services
from privacy.models import PrivacyPolicy


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(admin.ModelAdmin):
    """A revision is added as a new version, prefilled with the latest text; published ones are read-only.

    Not in the counselors' group: only the practice's owner (a superuser) publishes the policy.
    """

    list_display = ("version", "created_at")
    fields = ("version", "body", "body_en")
    ordering = ("-version",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_changeform_initial_data(self, request) -> dict:
        latest = PrivacyPolicy.objects.order_by("-version").first()
        initial = super().get_changeform_initial_data(request)
        if latest is not None:
            initial.setdefault("body", latest.body)
            initial.setdefault("body_en", latest.body_en)
        return initial

    def save_model(self, request, obj, form, change) -> None:
        # The form has checked that the version is new (unique date); the service writes the row.
        created = services.privacy_policy_publish(version=obj.version, body=obj.body, body_en=obj.body_en)
        obj.pk, obj._state.adding = created.pk, False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "body" in form.base_fields:
            form.base_fields["body"].help_text = _(
                "前の版の本文から始まります。保存すると新しい版として公開されます。"
            )
        return form
