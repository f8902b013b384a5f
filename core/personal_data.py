"""Registry of personal-data exporters: each app adds its section without editing accounts.

An exporter takes the user and returns JSON-serialisable data about them (a list or a dict).
"""

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
_exporters: dict[str, Exporter] = {}


def register_exporter(section: str) -> Callable[[Exporter], Exporter]:
    def decorator(function: Exporter) -> Exporter:
        if section in _exporters and _exporters[section] is not function:
            raise ValueError(f"Personal-data section {section!r} is registered twice.")
        _exporters[section] = function
        return function

    return decorator


def personal_data_export(*, user) -> dict[str, Any]:
    return {section: exporter(user) for section, exporter in sorted(_exporters.items())}
