from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.api import check_calendar_range
from counseling.models import Format, IntakeStatus, PatternKind
from counseling.selectors.patterns import pattern_list, self_check_reasons
from counseling.self_check import self_check_statement
from counseling.services.intakes import TRANSITIONS
from privacy.selectors import privacy_policy_current, version_label

if TYPE_CHECKING:
    from counseling.models import Pattern

SELF_CHECK_CHOICES = [
    ("1", _("1 まったく当てはまらない")),
    ("2", _("2 あまり当てはまらない")),
    ("3", _("3 どちらともいえない")),
    ("4", _("4 やや当てはまる")),
    ("5", _("5 とても当てはまる")),
]


def pattern_label(pattern: Pattern) -> str:
    """The pattern's name in the reader's language (the table keeps both)."""
    return pattern.label_en if (get_language() or "").startswith("en") else pattern.label_ja


class IntakeForm(forms.Form):
    """The intake on one page: scenes, the five-statement self-check, the concern, format and contact."""

    scenes = forms.MultipleChoiceField(
        label=_("どんな場面でお悩みですか（いくつでも）"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("1つ以上選んでください。")},
    )
    concern = forms.CharField(
        label=_("ご相談内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("今のお気持ちや状況を、ご自分の言葉で自由にお書きください。"),
    )
    preferred_format = forms.ChoiceField(
        label=_("希望する形式"), choices=Format.choices, widget=forms.RadioSelect
    )
    contact = forms.CharField(
        label=_("ご連絡の方法"),
        max_length=200,
        help_text=_("例：メールでご連絡ください／平日19時以降なら電話可 090-…"),
    )
    in_crisis = forms.BooleanField(
        label=_("今まさに、命の危険を感じるほどつらい状況にある"),
        required=False,
        help_text=_("チェックすると、すぐにつながる相談窓口をご案内し、カウンセラーにもお知らせします。"),
    )
    consent = forms.BooleanField(
        label=_("プライバシーポリシーに同意し、ご相談内容を相談室が取り扱うことに同意します"),
        error_messages={"required": _("同意してください。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenes"].choices = [
            (scene.code, pattern_label(scene))
            for scene in pattern_list().filter(kind=PatternKind.SCENE).order_by("position")
        ]
        self.reasons = list(self_check_reasons())
        # One question per reason in everyday words, right after the scenes in the article's order.
        fields = dict(self.fields)
        self.fields = {"scenes": fields.pop("scenes")}
        for reason in self.reasons:
            self.fields[self._reason_field(reason)] = forms.ChoiceField(
                label=self_check_statement(reason.code) or pattern_label(reason),
                choices=SELF_CHECK_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("1〜5のどれかを選んでください。")},
            )
        self.fields.update(fields)
        policy_url = reverse("privacy:policy")
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>',
            policy_url,
            _("プライバシーポリシー（%(version)s）")
            % {"version": version_label(privacy_policy_current().version)},
        )

    @staticmethod
    def _reason_field(reason: Pattern) -> str:
        return "self_check_" + reason.code.removeprefix("reason.")

    def self_check_fields(self) -> list:
        return [self[self._reason_field(reason)] for reason in self.reasons]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "scenes": data["scenes"],
            "self_check": {reason.code: int(data[self._reason_field(reason)]) for reason in self.reasons},
            "concern": data["concern"],
            "preferred_format": data["preferred_format"],
            "contact": data["contact"],
            "in_crisis": data["in_crisis"],
            "consent": data["consent"],
        }


class SlotChoiceForm(forms.Form):
    """The slot a client picked from the list, carried to the confirmation step and posted back."""

    # Sent with its offset; a time without one is read as the practice's (Asia/Tokyo) time.
    start = forms.DateTimeField(validators=[check_calendar_range])
    # A double click or a resent form returns the first booking instead of making a second one.
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class WeekForm(forms.Form):
    """``?from=YYYY-MM-DD``: the first day of the week of slots shown."""

    start_day = forms.DateField(required=False, validators=[check_calendar_range])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("キャンセルの理由（任意）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IntakeStatusForm(forms.Form):
    """The counselor's decision on an intake: only the statuses that may follow the current one."""

    status = forms.ChoiceField(label=_("状態を変更する"), widget=forms.RadioSelect)

    def __init__(self, *args, intake, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[intake.status]
        self.fields["status"].choices = [
            (value, label) for value, label in IntakeStatus.choices if value in allowed
        ]


def posted(request):
    """The form data of a POST (even an empty one, so that it is validated), or None for a GET."""
    return request.POST if request.method == "POST" else None


class TagFilterForm(forms.Form):
    """``?tag=``: one pattern of the method, grouped by kind as the article orders them."""

    tag = forms.ChoiceField(label=_("パターンで絞り込む"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for pattern in pattern_list().order_by("position"):
            groups.setdefault(pattern.get_kind_display(), []).append((pattern.code, pattern_label(pattern)))
        self.fields["tag"].choices = [("", _("すべて")), *groups.items()]
