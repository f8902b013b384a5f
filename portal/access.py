"""Who may open which pages.

Anonymous visitors go to the login page and come back afterwards. A counselor who opens the client
portal gets 403, since logging in again would not help them. A client who opens a counselor page gets
404: the counselor's pages hold other people's records, so they answer a client as if they did not
exist, whether or not the booking, note or client in the address does.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def _role_required(has_role: Callable, refusal: type[Exception] = PermissionDenied) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user):
                raise refusal
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


client_required = _role_required(lambda user: user.is_client)
counselor_required = _role_required(lambda user: user.is_counselor, refusal=Http404)
