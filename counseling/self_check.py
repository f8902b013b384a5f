"""The intake's self-check in everyday words: what a client reads and rates 1–5 for each reason.

The client answers about themselves, never about a heading of the method; the reason code stays
underneath (the API's ``self_check`` still maps ``reason.*`` codes to 1–5).
"""

from django.utils.translation import gettext_lazy as _

SELF_CHECK_STATEMENTS = {
    "reason.worthlessness": _(
        "何かの役に立っていないと、自分にはここにいる意味がないように感じる。"
        "いいことがあると、どこか申し訳ない気持ちになる。"
    ),
    "reason.unheard": _(
        "自分の気持ちを話しても、どうせ分かってもらえないと思うことが多い。"
        "言っても無駄だと、先にあきらめてしまう。"
    ),
    "reason.self_sacrifice": _("本当は気が進まない頼みでも引き受けて、あとでモヤモヤすることがよくある。"),
    "reason.proof_of_love": _(
        "相手からの連絡やひとことがないと、大事にされていないのではと不安になる。"
        "好かれている「しるし」を何度も確かめたくなる。"
    ),
    "reason.childhood": _("子どもの頃、家族の顔色を見て、自分の気持ちより周りの期待を優先していた。"),
}


def self_check_statement(reason_code: str) -> str:
    """The everyday statement for a reason (its label when the practice has written none)."""
    return str(SELF_CHECK_STATEMENTS.get(reason_code, ""))
