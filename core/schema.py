from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Names nested ``InputSerializer`` / ``OutputSerializer`` after their view.

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
