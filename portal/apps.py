from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages people see after logging in: the client portal and the counselor's dashboard."""

    name = "portal"
    verbose_name = _("ポータル")
