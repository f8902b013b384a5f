"""The API's one JSON parser: DRF's, refusing bodies nested deeper than any request of ours needs."""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest request body is a worksheet entry's answers (a list of rows of fields): a handful of
# levels. Past this a body is an attack on the parser or on what walks the data after it.
JSON_MAX_DEPTH = 32


def json_depth(value) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > JSON_MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(_("JSON の入れ子が深すぎます（%(max)d 段まで）。") % {"max": JSON_MAX_DEPTH})
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # Python's parser gives up near 1,000 levels, with a RecursionError
            raise too_deep from None
        if json_depth(data) > JSON_MAX_DEPTH:
            raise too_deep
        return data
