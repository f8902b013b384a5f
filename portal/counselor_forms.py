"""The forms of the counselor's client file and schedule pages. They only parse what was typed:
the counseling services judge it and give the messages shown beside the fields."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from counseling.models import AvailabilityRule, Format, SessionType
from counseling.selectors.series import SERIES_MAX_OCCURRENCES, Repeat, series_starts

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("名前・メールアドレスで検索"), max_length=100, required=False)


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

    @classmethod
    def for_session_type(cls, session_type: SessionType, data=None) -> "SessionTypeForm":
        return cls(data, initial={name: getattr(session_type, name) for name in cls.base_fields})


class HoursForm(forms.Form):
    """One range of weekly hours: several per day are allowed, each for one format (place)."""

    weekday = forms.TypedChoiceField(label=_("曜日"), choices=AvailabilityRule.Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("開始時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("終了時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    format = forms.ChoiceField(label=_("形式・場所"), choices=Format.choices)


class TimeOffForm(forms.Form):
    start = forms.DateTimeField(label=_("開始"), input_formats=[DATETIME_LOCAL], widget=DateTimeLocalInput)
    end = forms.DateTimeField(label=_("終了"), input_formats=[DATETIME_LOCAL], widget=DateTimeLocalInput)
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


class SessionTypeChoiceForm(forms.Form):
    session_type = forms.ModelChoiceField(label=_("セッション種別"), queryset=SessionType.objects.none())
    start_day = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, session_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session_type"].queryset = session_types


class RepeatForm(forms.Form):
    """The first session chosen, and how it repeats."""

    start = forms.DateTimeField(widget=forms.HiddenInput)
    repeat = forms.ChoiceField(
        label=_("繰り返し"),
        choices=[(repeat.code, repeat.label) for repeat in Repeat],
        widget=forms.RadioSelect,
        initial=Repeat.NONE.code,
    )
    count = forms.IntegerField(
        label=_("回数"),
        min_value=1,
        max_value=SERIES_MAX_OCCURRENCES,
        initial=4,
        help_text=_("繰り返すとき、最初の回を含めて%(max)s回まで。") % {"max": SERIES_MAX_OCCURRENCES},
    )

    def starts(self):
        repeat = Repeat.from_code(self.cleaned_data["repeat"])
        return series_starts(
            start=self.cleaned_data["start"], repeat=repeat, count=self.cleaned_data["count"]
        )


class SeriesBookForm(forms.Form):
    """The occurrences the counselor chose to book, posted back from the preview."""

    starts = forms.MultipleChoiceField(widget=forms.MultipleHiddenInput)
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, starts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts"].choices = [(start.isoformat(), start.isoformat()) for start in starts]

    def clean_starts(self):
        field = forms.DateTimeField()
        return [field.clean(value) for value in self.cleaned_data["starts"]]


class WorksheetAssignForm(forms.Form):
    template = forms.ChoiceField(label=_("ワークシート"), widget=forms.RadioSelect)
    due_date = forms.DateField(label=_("期限"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        label=_("クライアントへのメッセージ（任意）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, groups, today, **kwargs):
        super().__init__(*args, initial={"due_date": today + timedelta(days=7)}, **kwargs)
        self.groups = groups
        self.fields["template"].choices = [
            (str(template.pk), template.title) for group in groups for template in group.templates
        ]
        self.fields["due_date"].widget.attrs["min"] = today.isoformat()

    def template_choices(self):
        """The radio buttons by step, in the groups' order (suggested steps first)."""
        radios = {radio.data["value"]: radio for radio in self["template"]}
        return [(group, [radios[str(template.pk)] for template in group.templates]) for group in self.groups]

    def chosen_template(self):
        chosen = self.cleaned_data["template"]
        return next(t for group in self.groups for t in group.templates if str(t.pk) == chosen)
