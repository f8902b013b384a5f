from django.db import connection
from django.test.utils import CaptureQueriesContext


def list_queries(api, url, **params) -> tuple[int, int]:
    """(queries run, objects counted) for one page of up to 100 rows of a list endpoint."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]
