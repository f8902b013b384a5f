from django.urls import path  # noqa: F401

# HTML pages reached from emailed links (confirm, workbook, unsubscribe).
urlpatterns: list = []
