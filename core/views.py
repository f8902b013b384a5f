from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from rest_framework.exceptions import NotFound


@require_GET
def home(request):
    return render(request, "home.html", {})


@require_GET
@cache_control(public=True, max_age=7 * 24 * 60 * 60)
def favicon(request):
    """/favicon.ico, which browsers ask for on every site whatever the page links; served by the
    application so that it is there in every run mode, with or without a static-file server."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")  # FileResponse closes it


def page_not_found(request, exception):
    """A path that matches no URL: under /api/ the API's JSON error (its schema documents 404 as
    JSON), elsewhere the site's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
