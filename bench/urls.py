"""The product's URLs plus the benchmark's bare views (served only under ``bench.settings``)."""

from django.urls import path

from bench import bare_views
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    *product_urlpatterns,
    path("bench/availability/", bare_views.availability, name="bench-bare-availability"),
    path("bench/courses/", bare_views.courses, name="bench-bare-courses"),
]
