from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_policy_view, name="policy"),
    path("<str:version>/", views.privacy_policy_view, name="policy-version"),
]
