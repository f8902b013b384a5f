import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when the database cannot be reached (restart, failover).

    Django drops the broken connection at the end of the request, so the next request reconnects
    without restarting the web process.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable: %s", exception)
            response = JsonResponse(
                {"detail": "The service is temporarily unavailable. Please try again shortly."}, status=503
            )
            response["Retry-After"] = "5"
            return response
        return None


class RequestSizeLimitMiddleware:
    """Refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before any view reads them.

    Django checks that limit only for form data and ``request.body``; API parsers read the stream
    directly, so without this a client could post a body of any size. File uploads in the admin
    (the workbook PDF) have their own, larger limit, ADMIN_UPLOAD_MAX_SIZE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.path.startswith("/admin/") and request.content_type == "multipart/form-data":
            limit = settings.ADMIN_UPLOAD_MAX_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
        if limit is not None and length > limit:
            return JsonResponse(
                {"detail": f"The request body is too large (at most {limit} bytes)."}, status=413
            )
        return self.get_response(request)
