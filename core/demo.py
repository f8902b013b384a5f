"""Registry of demo-data steps for `manage.py seed_demo`; each app adds its own, in order.

A step takes a shared dict (the accounts step puts ``counselor`` and ``client`` in it) and a
``write`` callable for lines worth printing. Every step is idempotent: running it twice changes nothing.
"""

from collections.abc import Callable
from typing import Any

DemoStep = Callable[[dict[str, Any], Callable[[str], None]], None]
_steps: list[tuple[int, str, DemoStep]] = []


def register_demo_step(*, order: int) -> Callable[[DemoStep], DemoStep]:
    def decorator(function: DemoStep) -> DemoStep:
        name = f"{function.__module__}.{function.__qualname__}"
        if all(existing != name for _, existing, _ in _steps):
            _steps.append((order, name, function))
        return function

    return decorator


def demo_steps() -> list[DemoStep]:
    return [step for _, _, step in sorted(_steps, key=lambda item: (item[0], item[1]))]
