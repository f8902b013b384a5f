"""The OpenAPI schema documents every error status an operation can answer, with the error's body."""

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def responses(schema, method: str, path: str) -> dict:
    return schema["paths"][path][method]["responses"]


def body(response: dict) -> dict:
    return response["content"]["application/json"]["schema"]


def test_every_error_status_in_the_schema_has_the_error_body(schema):
    errors = [
        (method, path, code, response)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for code, response in operation["responses"].items()
        if int(code) >= 400
    ]
    assert len(errors) > 300
    for method, path, code, response in errors:
        assert body(response) == (VALIDATION_ERROR if code == "400" else ERROR), (method, path, code)


def test_an_operation_for_signed_in_callers_documents_401(schema):
    assert "401" in responses(schema, "get", "/api/v1/me/")
    assert "401" not in responses(schema, "post", "/api/v1/auth/register/")


def test_an_operation_for_counselors_only_documents_403_and_one_for_anyone_signed_in_does_not(schema):
    assert "403" in responses(schema, "get", "/api/v1/patterns/")
    assert "403" not in responses(schema, "get", "/api/v1/me/")


def test_input_documents_400_objects_documents_404_and_changes_document_409(schema):
    create = responses(schema, "post", "/api/v1/session-notes/")
    detail = responses(schema, "get", "/api/v1/session-notes/{note_id}/")
    assert {"400", "409", "413"} <= set(create)
    assert "404" in detail
    assert "409" not in detail
    assert "400" not in responses(schema, "get", "/api/v1/me/")


def test_a_throttled_operation_documents_429(schema):
    assert "429" in responses(schema, "post", "/api/v1/auth/token/")
    assert "429" not in responses(schema, "get", "/api/v1/me/")


def test_a_declared_error_keeps_its_description_and_gets_the_error_body(schema):
    conflict = responses(schema, "post", "/api/v1/bookings/")["409"]
    assert conflict["description"] == "The slot is no longer free."
    assert body(conflict) == ERROR


@pytest.mark.django_db
def test_an_unknown_api_path_answers_the_json_error_and_a_page_path_the_html_page(client):
    api = client.get("/api/v1/availability-rules/-1.5/")
    page = client.get("/no-such-page/")
    assert (api.status_code, api["Content-Type"], set(api.json())) == (404, "application/json", {"detail"})
    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")
