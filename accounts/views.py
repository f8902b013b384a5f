"""HTML pages for people: log in and out, register, confirm the email address, reset the password."""

from django.conf import settings
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import forms, services
from accounts.auth import retry_after_seconds
from core.exceptions import ApplicationError
from core.forms import form_apply_error
from core.ratelimit import Rate, rate_limit_posts


def _next_url(request) -> str:
    """The page that sent the person to log in, when it is on this site; empty otherwise."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _home_url(user) -> str:
    """Where a person lands after logging in when no page asked for them."""
    if user.is_counselor:
        return reverse("counselor:home")
    if user.is_client:
        return reverse("portal:home")
    return "/"


@require_http_methods(["GET", "POST"])
@rate_limit_posts("auth")
def login_view(request):
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.session_login_check(request=request, **form.cleaned_data)
        except services.LoginLockedOut as locked:
            until = timezone.localtime(locked.until)
            form.add_error(
                None,
                _(
                    "ログインの失敗が続いたため、このアカウントへのログインを一時的に止めています。"
                    "%(time)s以降にもう一度お試しください。パスワードをお忘れの場合は再設定できます。"
                )
                % {"time": date_format(until, "TIME_FORMAT")},
            )
            response = render(
                request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=429
            )
            response["Retry-After"] = retry_after_seconds(locked.until)
            return response
        except services.EmailNotVerified as error:
            # The password was right, so saying the address waits for confirmation reveals nothing.
            form.add_error(None, error.message)
            context = {"form": form, "next": _next_url(request), "resend_email": form.cleaned_data["email"]}
            return render(request, "accounts/login.html", context, status=400)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # Without a page to return to, clients land in the portal and counselors on the dashboard.
            return redirect(_next_url(request) or _home_url(user))
    status = 400 if form.errors else 200
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
@rate_limit_posts("mail")
def register_view(request):
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_register(**form.cleaned_data)
        except ApplicationError as error:
            form_apply_error(form, error)
        else:
            return render(request, "accounts/register_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def verify_email_view(request):
    try:
        services.user_verify_email(token=request.GET.get("token", ""))
    except ApplicationError as error:
        context = {"error": error.message, "resend_form": forms.VerificationResendForm()}
        return render(request, "accounts/verify_email.html", context, status=400)
    return render(request, "accounts/verify_email.html", {})


@require_http_methods(["GET", "POST"])
@rate_limit_posts("mail")
def verification_resend_view(request):
    form = forms.VerificationResendForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        services.verification_resend(**form.cleaned_data)
        # The same page whether the address waits for confirmation, is confirmed, or has no account.
        interval = Rate.parse(settings.RATE_LIMITS["verification_address"]).seconds
        context = {"interval_minutes": max(1, interval // 60)}
        return render(request, "accounts/verification_resend_sent.html", context)
    return render(
        request, "accounts/verification_resend.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@rate_limit_posts("mail")
def password_reset_view(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(**form.cleaned_data)
        # The same page whether or not the address has an account.
        return render(request, "accounts/password_reset_sent.html", {})
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@rate_limit_posts("auth")
def password_reset_confirm_view(request):
    form = forms.PasswordResetConfirmForm(
        request.POST or None, initial={"token": request.GET.get("token", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(**form.cleaned_data)
        except ApplicationError as error:
            form_apply_error(form, error)
        else:
            return render(request, "accounts/password_reset_done.html", {})
    return render(
        request, "accounts/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200
    )
