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
