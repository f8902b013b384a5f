from django.urls import path

from newsletter import apis

# Under /api/v1/newsletter/.
urlpatterns = [
    path("subscribe/", apis.SubscribeApi.as_view(), name="newsletter-subscribe"),
    path("workbook-link/", apis.WorkbookLinkApi.as_view(), name="newsletter-workbook-link"),
    path("lessons/", apis.LessonListApi.as_view(), name="newsletter-lessons"),
    path("lessons/<int:lesson_id>/", apis.LessonDetailApi.as_view(), name="newsletter-lesson"),
    path("broadcasts/", apis.BroadcastListApi.as_view(), name="newsletter-broadcasts"),
    path("broadcasts/<int:broadcast_id>/", apis.BroadcastDetailApi.as_view(), name="newsletter-broadcast"),
    *[
        path(
            f"{kind}/<int:item_id>/{action}/",
            view.as_view(),
            {"kind": kind},
            name=f"newsletter-{kind}-{action}",
        )
        for kind in ("lessons", "broadcasts")
        for action, view in (("preview", apis.IssuePreviewApi), ("send-test", apis.IssueSendTestApi))
    ],
    path("stats/", apis.StatsApi.as_view(), name="newsletter-stats"),
    path("subscribers/export/", apis.SubscriberExportApi.as_view(), name="newsletter-subscribers-export"),
]
