from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class UserAdminCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "role")


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAdminCreationForm
    form = UserAdminChangeForm
    ordering = ("email",)
    list_display = ("email", "display_name", "role", "email_verified_at", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email", "display_name")
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("プロフィール"), {"fields": ("display_name", "role", "email_verified_at")}),
        (_("権限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "display_name", "role", "password1", "password2")}),
    )


class LoginAttemptAdmin(AccessAttemptAdmin):
    """django-axes' own screen of login attempts, whose clean-up action works outside a login."""

    @admin.action(description=_("期限切れの記録を削除する"))
    def cleanup_expired_attempts(self, request, queryset):
        # django-axes reads the time of the request's own login attempt, which only a login sets:
        # without it the action fails with a 500.
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LoginAttemptAdmin)
