"""HTML pages behind the newsletter's links: signup, confirmation, workbook, unsubscribe."""

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.ratelimit import client_ip, rate_limit_posts
from counseling.exercises import STEP_INTROS, exercises_for_step
from newsletter import forms
from newsletter.models import Subscriber
from newsletter.services import subscribers
from newsletter.services.subscribers import LinkInvalid

SIGNUP_SOURCE = "website"


def _link_invalid(request, error: LinkInvalid):
    return render(request, "newsletter/link_invalid.html", {"error": error.message}, status=404)


@require_http_methods(["GET", "POST"])
@rate_limit_posts("mail")
def signup_view(request):
    form = forms.SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscribers.subscriber_subscribe(
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
            source=SIGNUP_SOURCE,
            wording_version=form.cleaned_data["consent_version"],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        # The same page for a new, a pending and a confirmed address, and for a repeat within the
        # interval that sends nothing: it says so, so it is true in every case.
        interval_minutes = int(settings.NEWSLETTER_CONFIRMATION_INTERVAL.total_seconds() // 60)
        return render(request, "newsletter/signup_done.html", {"interval_minutes": interval_minutes})
    return render(request, "newsletter/signup.html", {"form": form}, status=400 if form.errors else 200)


def _confirmed_page(request, subscriber: Subscriber):
    return render(
        request,
        "newsletter/confirmed.html",
        {"workbook_url": subscribers.workbook_url(subscriber), "form": forms.WorkbookLinkForm()},
    )


@require_http_methods(["GET", "POST"])
def confirm_view(request, token: str):
    """GET shows a button and POST confirms: a mail scanner that follows the link confirms nothing."""
    try:
        if request.method == "POST":
            subscriber = subscribers.subscriber_confirm(token=token, ip_address=client_ip(request))
        else:
            subscriber = subscribers.confirm_subscriber_peek(token=token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    if subscriber.status == Subscriber.Status.ACTIVE:
        return _confirmed_page(request, subscriber)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@require_http_methods(["GET", "POST"])
@rate_limit_posts("mail")
def workbook_link_view(request):
    form = forms.WorkbookLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscribers.workbook_link_resend(email=form.cleaned_data["email"])
        return render(request, "newsletter/workbook_link_sent.html", {})
    return render(
        request, "newsletter/workbook_link.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def workbook_download_view(request, token: str):
    try:
        workbook = subscribers.workbook_download(token=token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    filename = workbook.file.name.rsplit("/", 1)[-1]
    return FileResponse(workbook.file.open("rb"), as_attachment=True, filename=filename)


@csrf_exempt  # RFC 8058: the mail provider's one-click POST carries neither cookies nor a CSRF token.
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    """GET only shows the button (link scanners follow GETs); any POST unsubscribes at once."""
    try:
        if request.method == "GET":
            subscriber = subscribers.unsubscribe_subscriber_peek(token=token)
            return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
        subscribers.subscriber_unsubscribe(token=token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse("Unsubscribed", content_type="text/plain; charset=utf-8")
    return redirect("newsletter:unsubscribed", permanent=False)


@require_GET
def unsubscribed_view(request):
    return render(request, "newsletter/unsubscribed.html", {})


@require_GET
def exercises_view(request):
    """The nine workbook exercises, one section each: where a lesson's "today's practice" links to."""
    steps = [{"intro": intro, "exercises": exercises_for_step(code)} for code, intro in STEP_INTROS.items()]
    return render(request, "newsletter/exercises.html", {"steps": steps})
