from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.settings import api_settings

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    """The body of every error but a 400 (core.exceptions.exception_handler); a 409 may add fields."""

    detail = serializers.CharField(help_text="What went wrong, for people (Japanese or English).")


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400: messages by field name (non_field_errors for the input as a whole), or a
    detail message with the fields it names."""

    detail = serializers.JSONField(required=False, help_text="A message, or a list of messages.")


ERROR_DESCRIPTIONS = {
    400: "The input is not valid: nothing was changed.",
    401: "No valid token or session (a missing, wrong, expired or revoked token).",
    403: "The caller may not do this (role, or a session request without its CSRF token).",
    404: "No such object, or not yours; or no such page of a list.",
    409: "The request clashes with the current state (a slot taken, a note signed).",
    413: "The request body is too large.",
    429: "Too many requests: try again after Retry-After seconds.",
    503: "The database is unreachable for a moment: try again after Retry-After seconds.",
}


class AutoSchema(SpectacularAutoSchema):
    """Names nested ``InputSerializer`` / ``OutputSerializer`` after their view, and documents every
    error status an operation can answer, from its method, parameters, permissions and throttles.

    Every API view declares its own ``InputSerializer``; without the view's name in front, their
    schema components would collide.
    """

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer:
            name = outer.split(".")[-1].removesuffix("Api") + inner
        return name

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        # A GET answering a page (core.pagination.paginated) is a list, not a retrieve.
        if self.method == "GET" and operation_id.endswith("_retrieve") and self._answers_a_page():
            operation_id = operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _answers_a_page(self) -> bool:
        responses = self.get_response_serializers()
        if isinstance(responses, dict):
            responses = responses.get(200) or responses.get("200")
        cls = responses if isinstance(responses, type) else type(responses)
        return cls.__name__.startswith("Paginated") and cls.__name__.endswith("ListSerializer")

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        declared = {int(code) for code in responses if code.isdigit()}
        for code in sorted(self.error_statuses() | {code for code in declared if code >= 400}):
            # A view may declare an error with its own description only: the body is still the error's.
            if "content" in responses.get(str(code), {}):
                continue
            serializer = ValidationErrorSerializer if code == 400 else ErrorSerializer
            description = responses.get(str(code), {}).get("description") or ERROR_DESCRIPTIONS.get(code, "")
            response = OpenApiResponse(serializer, description=description)
            responses[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return responses

    def error_statuses(self) -> set[int]:
        """The error statuses this operation can answer besides those its view declares."""
        unsafe = self.method in UNSAFE_METHODS
        in_path = "{" in self.path
        pages = self._answers_a_page()
        parameters = {getattr(parameter, "name", None) for parameter in self.get_override_parameters()}
        parameters |= {parameter["name"] for parameter in self._get_format_parameters()}
        authenticators = self.view.get_authenticators()
        role_checks = [
            permission
            for permission in self.view.get_permissions()
            if not isinstance(permission, (AllowAny, IsAuthenticated))
        ]
        codes = {503}  # core.exceptions / core.middleware, on every request that reaches the database
        if unsafe or in_path or pages or parameters or self._get_filter_parameters():
            codes.add(400)
        if authenticators:
            codes.add(401)
        if role_checks or (unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators)):
            codes.add(403)
        # Also the answer to a ?page= past the end, and to a ?format= DRF has no renderer for.
        if in_path or pages or api_settings.URL_FORMAT_OVERRIDE in parameters:
            codes.add(404)
        if unsafe:
            codes.update({409, 413})
        if self.view.get_throttles():
            codes.add(429)
        return codes
