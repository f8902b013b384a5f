"""Who may open which pages, and the record of who saw which sensitive record.

Anonymous visitors go to the login page and come back afterwards; a signed-in person of the other
role gets 403, since logging in again would not help them.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from counseling.services.access import access_record, request_ip


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


def access_log(request, objs, action: str) -> None:
    """One access-log row per intake, note or worksheet the page shows (要配慮個人情報).

    Call it inside the transaction that loaded the objects, with the objects already evaluated, so
    that nothing is shown without its row.
    """
    access_record(user=request.user, obj_or_objs=objs, action=action, ip=request_ip(request))
