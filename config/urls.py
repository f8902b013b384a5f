from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import health
from core.views import home

# Swagger UI starts from an inline script drf-spectacular writes into the page, draws its icons from
# data: URLs and sets inline styles; this one page, which shows no one's data, may do that. Its
# scripts and styles still come from our own origin only.
api_docs = csp_update(
    {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"], "img-src": ["data:"]}
)(SpectacularSwaggerView.as_view(url_name="schema"))

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("counseling.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("courses.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("accounts.page_urls")),
    path("newsletter/", include("newsletter.page_urls")),
    path("courses/", include("courses.page_urls")),
    path("", include("portal.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
