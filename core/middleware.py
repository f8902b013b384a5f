import logging

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
