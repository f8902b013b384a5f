"""The forms of the counselor's schedule page. They only parse what was typed: the availability
services judge it and give the messages shown beside the fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from core.api import check_calendar_range
from counseling.models import Format, Weekday
from payments.methods import PaymentMethod

if TYPE_CHECKING:
    from counseling.models import SessionType

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class SessionTypeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    format = forms.ChoiceField(label=_("形式"), choices=Format.choices)
    location = forms.CharField(
        label=_("場所"), max_length=200, required=False, help_text=_("対面のセッションでは必須です。")
    )
    duration_minutes = forms.IntegerField(label=_("時間（分）"), min_value=10, max_value=480)
    price_jpy = forms.IntegerField(label=_("料金（円）"), min_value=0)
    buffer_minutes = forms.IntegerField(
        label=_("終了後の空き時間（分）"), min_value=0, max_value=240, initial=0
    )
    active = forms.BooleanField(label=_("受付中（クライアントが予約できる）"), required=False, initial=True)
    payment_method = forms.ChoiceField(
        label=_("お支払い方法"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.ARRANGED,
        required=False,
        help_text=_(
            "事前払い（オンライン決済・銀行振込）では、お支払いまで枠を確保します。"
            "オンライン決済は Stripe の鍵が設定されている時だけ提供され、それ以外は銀行振込になります。"
            "当日払いは東京・名古屋の対面のみです。"
        ),
    )

    def clean_payment_method(self) -> str:
        return self.cleaned_data["payment_method"] or PaymentMethod.ARRANGED

    @classmethod
    def for_session_type(cls, session_type: SessionType, data=None) -> SessionTypeForm:
        return cls(data, initial={name: getattr(session_type, name) for name in cls.base_fields})


class HoursForm(forms.Form):
    """One range of weekly hours: several per day are allowed, each for one format (place)."""

    weekday = forms.TypedChoiceField(label=_("曜日"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("開始時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("終了時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    format = forms.ChoiceField(label=_("形式・場所"), choices=Format.choices)


class TimeOffForm(forms.Form):
    start = forms.DateTimeField(
        label=_("開始"),
        input_formats=[DATETIME_LOCAL],
        validators=[check_calendar_range],
        widget=DateTimeLocalInput,
    )
    end = forms.DateTimeField(
        label=_("終了"),
        input_formats=[DATETIME_LOCAL],
        validators=[check_calendar_range],
        widget=DateTimeLocalInput,
    )
    note = forms.CharField(label=_("メモ（任意）"), max_length=200, required=False)


class MeetingLinkForm(forms.Form):
    meeting_url_template = forms.CharField(
        label=_("面談ごとのURLのひな形"),
        max_length=300,
        required=False,
        help_text=_(
            "例：https://meet.jit.si/{room} 。{room} は予約ごとに推測できない名前に置き換わり、"
            "2人のクライアントが同じ部屋になることはありません。"
        ),
    )
    meeting_url = forms.URLField(
        label=_("固定のURL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("ひな形が空のとき、すべてのオンライン予約にこのURLが入ります。"),
    )
