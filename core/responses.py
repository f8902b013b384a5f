"""Answers shared by the apps' APIs."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

# The schema of {"detail": "..."}: the body of every 202 that says what happens next.
DetailSerializer = inline_serializer("Detail", {"detail": serializers.CharField()})


def accepted_response(body: dict) -> Response:
    """202 with the (lazily translated) body, the same whatever the request revealed."""
    return Response({key: str(value) for key, value in body.items()}, status=status.HTTP_202_ACCEPTED)
