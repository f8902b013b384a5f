from django.urls import path

from courses import apis

urlpatterns = [
    path("courses/", apis.CourseListApi.as_view(), name="course-list"),
    path("courses/<int:course_id>/", apis.CourseDetailApi.as_view(), name="course-detail"),
    path("courses/<int:course_id>/enroll/", apis.CourseEnrollApi.as_view(), name="course-enroll"),
    path("courses/<int:course_id>/cancel/", apis.CourseCancelApi.as_view(), name="course-cancel"),
    path("courses/<int:course_id>/roster/", apis.CourseRosterApi.as_view(), name="course-roster"),
    path(
        "enrollments/<int:enrollment_id>/cancel/",
        apis.EnrollmentCancelApi.as_view(),
        name="course-enrollment-cancel",
    ),
]
