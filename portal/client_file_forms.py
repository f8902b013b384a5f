"""The forms of the counselor's client pages: search, booking for a client, assigning a worksheet.
They only parse what was typed: the counseling services judge it."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from core.api import check_calendar_range
from counseling.selectors.availability import session_type_list_active
from counseling.selectors.series import SERIES_MAX_OCCURRENCES, Repeat, series_starts


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("名前・メールアドレスで検索"), max_length=100, required=False)


class SessionTypeChoiceForm(forms.Form):
    session_type = forms.ModelChoiceField(
        label=_("セッション種別"), queryset=session_type_list_active().none()
    )
    start_day = forms.DateField(required=False, validators=[check_calendar_range], widget=forms.HiddenInput)

    def __init__(self, *args, session_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session_type"].queryset = session_types


class RepeatForm(forms.Form):
    """The first session chosen, and how it repeats."""

    start = forms.DateTimeField(validators=[check_calendar_range], widget=forms.HiddenInput)
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
        field = forms.DateTimeField(validators=[check_calendar_range])
        return [field.clean(value) for value in self.cleaned_data["starts"]]


class WorksheetAssignForm(forms.Form):
    template = forms.ChoiceField(label=_("ワークシート"), widget=forms.RadioSelect)
    due_date = forms.DateField(
        label=_("期限"), validators=[check_calendar_range], widget=forms.DateInput(attrs={"type": "date"})
    )
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
