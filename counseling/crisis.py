"""Where to turn right now: shown to a client who answers that they are in crisis."""

from django.utils.translation import gettext_lazy as _

CRISIS_MESSAGE = _(
    "今すぐ助けが必要なときは、ためらわずに下記の窓口へご連絡ください。"
    "命の危険があるときは119番に電話してください。カウンセラーにもすぐにお知らせしました。"
)

CRISIS_LINES = (
    {"name": _("いのちの電話（ナビダイヤル）"), "phone": "0570-783-556", "hours": _("毎日 10:00〜22:00")},
    {"name": _("よりそいホットライン"), "phone": "0120-279-338", "hours": _("24時間・通話無料")},
    {"name": _("救急（命の危険があるとき）"), "phone": "119", "hours": _("24時間")},
)


def crisis_support() -> dict:
    return {
        "message": str(CRISIS_MESSAGE),
        "lines": [{key: str(value) for key, value in line.items()} for line in CRISIS_LINES],
    }
