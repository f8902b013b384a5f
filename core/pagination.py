from collections.abc import Callable
from functools import cache

from rest_framework import pagination, serializers
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(
    *,
    request,
    view,
    queryset,
    serializer_class: type[serializers.BaseSerializer] | None = None,
    context: dict | None = None,
    on_page: Callable[[list], object] | None = None,
    output: Callable[[list], list] | None = None,
) -> Response:
    """One page of ``queryset`` (``?page=``, ``?page_size=`` up to 100) with count and links.

    The page is written by ``serializer_class``, or by ``output`` (the page's objects or rows in, their
    JSON out) where a serializer would cost too much. ``on_page`` is called with the objects of the page
    before they are written (an access log records exactly what is shown).
    """
    paginator = PageNumberPagination()
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
