from django.urls import path  # noqa: F401

# HTML pages for guests (the cancel page behind the emailed link).
urlpatterns: list = []
