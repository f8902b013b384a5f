from collections.abc import Callable
from functools import cache

from rest_framework import pagination, serializers
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


# No list of ours is near this long; an OFFSET beyond bigint would be an error, not an empty page.
_MAX_OFFSET = 2**62


class CountedPages:
    """A list that answers a page and its own length in one query, paged by Django's paginator.

    ``page_of(offset, limit)`` answers (the length of the whole list, the rows of that window), the
    length 0 when the window is empty. The paginator asks for the length first, to check the page
    number, then for the page's window: the window asked for in the request is fetched at the first
    question and answers both. The length only matters when the window is empty, and then 0 says the
    same as the true length: a first page with nothing on it, any later page out of range (404). A
    window that was not expected (``?page=last``) costs a query of its own.
    """

    def __init__(self, page_of: Callable[[int, int], tuple[int, list]], *, offset: int, limit: int):
        self._page_of = page_of
        self._expected = (offset, limit)
        self._fetched: tuple[tuple[int, int], int, list] | None = None

    def _fetch(self, offset: int, limit: int) -> tuple[int, list]:
        if self._fetched is not None:
            (fetched_offset, fetched_limit), length, rows = self._fetched
            # Django's paginator asks for the last page's window up to the end of the list only.
            if offset == fetched_offset and (limit <= fetched_limit or len(rows) < fetched_limit):
                return length, rows[:limit]
        length, rows = self._page_of(offset, limit)
        self._fetched = ((offset, limit), length, rows)
        return length, rows

    def count(self) -> int:
        return self._fetch(*self._expected)[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        return self._fetch(start, stop - start)[1]


def paginated_response(
    *,
    request,
    view,
    queryset=None,
    page_of: Callable[[int, int], tuple[int, list]] | None = None,
    serializer_class: type[serializers.BaseSerializer] | None = None,
    context: dict | None = None,
    on_page: Callable[[list], object] | None = None,
    output: Callable[[list], list] | None = None,
) -> Response:
    """One page of ``queryset`` (``?page=``, ``?page_size=`` up to 100) with count and links.

    Or of ``page_of(offset, limit)``, a read that answers the length of the whole list and the rows of
    a window in one query (see ``CountedPages``): one query a page instead of two.
    The page is written by ``serializer_class``, or by ``output`` (the page's objects or rows in, their
    JSON out) where a serializer would cost too much. ``on_page`` is called with the objects of the page
    before they are written (an access log records exactly what is shown).
    """
    paginator = PageNumberPagination()
    if page_of is not None:
        queryset = _counted_pages(page_of, request, paginator)
    if queryset is None:
        raise TypeError("paginated_response needs queryset or page_of")
    # Never None here: the paginator always has a page size.
    page: list = paginator.paginate_queryset(queryset, request, view=view) or []
    if on_page is not None:
        on_page(page)
    if output is not None:
        return paginator.get_paginated_response(output(page))
    if serializer_class is None:
        raise TypeError("paginated_response needs serializer_class or output")
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


@cache
def paginated(serializer_class: type[serializers.BaseSerializer]) -> type[serializers.Serializer]:
    """The schema of a page of ``serializer_class`` for ``@extend_schema(responses=...)``."""
    outer, _, inner = serializer_class.__qualname__.rpartition(".")
    name = (outer.split(".")[-1].removesuffix("Api") + inner) if outer else serializer_class.__name__
    name = name.removesuffix("Serializer")
    return type(
        f"Paginated{name}ListSerializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def _counted_pages(
    page_of: Callable[[int, int], tuple[int, list]], request, paginator: PageNumberPagination
) -> CountedPages:
    """``page_of`` with the window the request asks for, as DRF's paginator will read the request."""
    limit = paginator.get_page_size(request) or paginator.page_size
    try:
        number = int(request.query_params.get(paginator.page_query_param) or 1)
    except ValueError:
        # ?page=last: the first page's query tells which is the last. Anything else that is no number
        # is answered 404 before any query.
        number = 1
    offset = (number - 1) * limit
    if not 0 <= offset <= _MAX_OFFSET:
        # The first page's query tells the length, which puts this page out of range (404), where an
        # offset past PostgreSQL's bigint would fail the query.
        offset = 0
    return CountedPages(page_of, offset=offset, limit=limit)
