from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("verify-email/", views.verify_email_view, name="verify-email"),
    path("verify-email/resend/", views.verification_resend_view, name="verify-email-resend"),
    path("password-reset/", views.password_reset_view, name="password-reset"),
    path("password-reset/confirm/", views.password_reset_confirm_view, name="password-reset-confirm"),
]
