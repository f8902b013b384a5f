from django.urls import path

from courses import views

# HTML pages: the public course list and detail (enrollment), and the cancel page behind the emailed link.
urlpatterns = [
    path("", views.course_list_page, name="course-list"),
    path("<int:course_id>/", views.course_detail_page, name="course-detail"),
    path(
        "enrollments/<int:enrollment_id>/cancel/",
        views.EnrollmentCancelPageView.as_view(),
        name="course-enrollment-cancel-page",
    ),
]
