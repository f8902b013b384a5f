from django.urls import path

from courses import views

# HTML pages for guests (the cancel page behind the emailed link).
urlpatterns = [
    path(
        "enrollments/<int:enrollment_id>/cancel/",
        views.EnrollmentCancelPageView.as_view(),
        name="course-enrollment-cancel-page",
    ),
]
