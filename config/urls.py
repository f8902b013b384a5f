from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import health
from core.views import favicon, home

# Swagger UI from our own static files (drf-spectacular-sidecar); its set-up script is a second
# request to the same view, so the page runs under the site's Content-Security-Policy without inline
# code. Its stylesheet draws two icons from data: URLs, which this page alone may load.
api_docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html")
)

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("counseling.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("courses.urls")),
]

handler404 = "core.views.page_not_found"

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("accounts.page_urls")),
    path("newsletter/", include("newsletter.page_urls")),
    path("courses/", include("courses.page_urls")),
    path("payments/", include("payments.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("portal.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
