from django.urls import path

from newsletter import views, webhooks

app_name = "newsletter"

# Under /newsletter/: the pages behind emailed links, and the ESP webhooks.
urlpatterns = [
    path("", views.signup_view, name="signup"),
    path("confirm/<str:token>/", views.confirm_view, name="confirm"),
    path("exercises/", views.exercises_view, name="exercises"),
    path("workbook/", views.workbook_link_view, name="workbook-link"),
    path("workbook/<str:token>/", views.workbook_download_view, name="workbook"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("unsubscribed/", views.unsubscribed_view, name="unsubscribed"),
    # Point the ESP's bounce/complaint webhook here, with WEBHOOK_SECRET as user:password in the URL.
    path("webhooks/postmark/tracking/", webhooks.PostmarkTracking.as_view(), name="webhook-postmark"),
    path("webhooks/brevo/tracking/", webhooks.BrevoTracking.as_view(), name="webhook-brevo"),
    path("webhooks/mailjet/tracking/", webhooks.MailjetTracking.as_view(), name="webhook-mailjet"),
]
