from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import OwnRecordsAdmin
from courses import selectors, services
from courses.models import Course, CourseSession, Enrollment


class CourseSessionInline(admin.TabularInline):
    model = CourseSession
    extra = 1
    fields = ("starts_at", "ends_at")


class CourseAdminForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ("counselor", *services.EDITABLE_FIELDS)

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            confirmed = self.instance.enrollments.filter(status=Enrollment.Status.CONFIRMED).count()
            if capacity < confirmed:
                raise forms.ValidationError(
                    _("定員を確定済みの申込数（%(count)d名）より少なくはできません。") % {"count": confirmed}
                )
        return capacity

    def clean_status(self):
        status = self.cleaned_data["status"]
        initial = self.instance.status if self.instance.pk else None
        if status == Course.Status.CANCELLED and initial != Course.Status.CANCELLED:
            # Cancelling also cancels every enrollment and emails everyone: only the action does that.
            raise forms.ValidationError(_("中止は一覧の「選択した講座を中止する」から行ってください。"))
        if initial == Course.Status.CANCELLED and status != Course.Status.CANCELLED:
            raise forms.ValidationError(_("中止した講座は再開できません。"))
        return status


@admin.register(Course)
class CourseAdmin(OwnRecordsAdmin):
    """A counselor's own courses; the owner (superuser) sees and assigns every counselor's."""

    form = CourseAdminForm
    inlines = (CourseSessionInline,)
    list_display = (
        "title",
        "format",
        "status",
        "capacity",
        "confirmed_count",
        "waitlist_count",
        "first_starts_at",
    )
    list_filter = ("status", "format")
    search_fields = ("title", "description")
    readonly_fields = ("cancelled_at", "created_at", "updated_at")
    actions = ("cancel_courses",)

    def get_queryset(self, request):
        queryset = selectors.course_queryset()
        return queryset if request.user.is_superuser else queryset.filter(counselor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A larger capacity gives its new seats to the waitlist at once, as the API does.
        services.course_promote_waitlisted(course_id=form.instance.pk)

    @admin.display(description=_("確定"), ordering="confirmed_count")
    def confirmed_count(self, course):
        return course.confirmed_count

    @admin.display(description=_("キャンセル待ち"), ordering="waitlist_count")
    def waitlist_count(self, course):
        return course.waitlist_count

    @admin.display(description=_("初回"), ordering="first_starts_at")
    def first_starts_at(self, course):
        return course.first_starts_at

    @admin.action(description=_("選択した講座を中止する（申込者全員にメールでお知らせします）"))
    def cancel_courses(self, request, queryset):
        cancelled = 0
        for course_id in queryset.exclude(status=Course.Status.CANCELLED).values_list("pk", flat=True):
            services.course_cancel(course_id=course_id)
            cancelled += 1
        self.message_user(
            request,
            ngettext("%d件の講座を中止しました。", "%d件の講座を中止しました。", cancelled) % cancelled,
        )


@admin.register(Enrollment)
class EnrollmentAdmin(OwnRecordsAdmin):
    """Enrollments in the counselor's own courses: guests' names and emails are her course's alone."""

    owner_field = "course__counselor"
    list_display = ("id", "course", "person", "email", "status", "created_at", "promoted_at", "cancelled_at")
    # Only her courses in the filter: the plain one would list every counselor's course titles.
    list_filter = ("status", ("course", admin.RelatedOnlyFieldListFilter))
    search_fields = ("guest_name", "guest_email", "user__email", "user__display_name", "course__title")
    list_select_related = ("course", "user")
    # Seats are changed only through the services, which lock the course and promote the waitlist.
    readonly_fields = (
        "course",
        "user",
        "guest_name",
        "guest_email",
        "status",
        "confirmed_at",
        "promoted_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    )
    actions = ("cancel_enrollments",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("氏名"))
    def person(self, enrollment):
        return enrollment.person_name

    @admin.display(description=_("メールアドレス"))
    def email(self, enrollment):
        return enrollment.person_email

    @admin.action(description=_("選択した申込を取り消す（キャンセル待ちの方が繰り上がります）"))
    def cancel_enrollments(self, request, queryset):
        cancelled = 0
        for enrollment_id in queryset.exclude(status=Enrollment.Status.CANCELLED).values_list(
            "pk", flat=True
        ):
            try:
                services.enrollment_cancel(enrollment_id=enrollment_id)
            except services.ApplicationError as error:
                self.message_user(request, f"#{enrollment_id}: {error.message}", level=messages.WARNING)
            else:
                cancelled += 1
        self.message_user(
            request,
            ngettext("%d件の申込を取り消しました。", "%d件の申込を取り消しました。", cancelled) % cancelled,
        )
