"""Who may open which pages.

Anonymous visitors go to the login page and come back afterwards; a signed-in person of the other
role gets 403, since logging in again would not help them.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def _role_required(has_role: Callable) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


client_required = _role_required(lambda user: user.is_client)
counselor_required = _role_required(lambda user: user.is_counselor)
