"""Forms of the counselor's agenda, booking and note pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from core.api import check_calendar_range
from counseling.models import SESSION_NOTE_SECTIONS, BookingStatus, PatternKind
from counseling.policy import MARKABLE
from counseling.selectors.patterns import pattern_list_grouped
from counseling.services.notes import SECTION_MAX_LENGTH

if TYPE_CHECKING:
    from counseling.models import SessionNote


class JumpToDateForm(forms.Form):
    """``?date=YYYY-MM-DD``: the week of the calendar shown."""

    date = forms.DateField(
        label=_("日付へ移動"),
        required=False,
        validators=[check_calendar_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=[(value, BookingStatus(value).label) for value in MARKABLE])


class CounselorCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("キャンセルの理由（クライアントへのメールに書かれます）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("理由を入力してください。")},
    )


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(
        label=_("新しい日時"),
        validators=[check_calendar_range],
        error_messages={"required": _("日時を選んでください。")},
    )


SECTION_LABELS = {
    "presenting_concern": _("主訴"),
    "observations": _("観察したこと"),
    "interventions": _("取り組んだこと"),
    "homework": _("ホームワーク"),
    "plan": _("今後の方針"),
}
KIND_LABELS = {
    PatternKind.SCENE: _("場面"),
    PatternKind.REASON: _("理由（子どもの頃の経験はその内訳も）"),
    PatternKind.PAIN: _("つらさ"),
    PatternKind.STEP: _("ステップ"),
}


class NoteForm(forms.Form):
    """The five sections and the pattern tags of a note; ``with_date`` for a note without a booking."""

    date = forms.DateField(
        label=_("セッションの日付"),
        validators=[check_calendar_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tags = forms.MultipleChoiceField(label=_("タグ"), required=False)

    def __init__(self, *args, with_date: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_date:
            del self.fields["date"]
        for name in SESSION_NOTE_SECTIONS:
            self.fields[name] = forms.CharField(
                label=SECTION_LABELS[name],
                max_length=SECTION_MAX_LENGTH,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.groups = pattern_list_grouped()
        self.fields["tags"].choices = [
            (pattern.code, pattern.label_ja)
            for patterns in self.groups.values()
            for parent in patterns
            for pattern in (parent, *parent.child_patterns)
        ]

    def section_fields(self) -> list:
        return [self[name] for name in SESSION_NOTE_SECTIONS]

    def tag_groups(self) -> list[tuple[str, str, list]]:
        """(kind, heading, [(pattern, checked, [(child, checked), …]), …]) in the article's order."""
        chosen = set(self["tags"].value() or [])
        return [
            (
                kind,
                KIND_LABELS[kind],
                [
                    (
                        parent,
                        parent.code in chosen,
                        [(child, child.code in chosen) for child in parent.child_patterns],
                    )
                    for parent in patterns
                ],
            )
            for kind, patterns in self.groups.items()
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {name: data[name] for name in SESSION_NOTE_SECTIONS}
        arguments["tags"] = data["tags"]
        if "date" in self.fields:
            arguments["date"] = data["date"]
        return arguments


def note_initial(note: SessionNote) -> dict:
    return {
        **{name: getattr(note, name) for name in SESSION_NOTE_SECTIONS},
        "tags": [tag.code for tag in note.tags.all()],
        "date": note.date,
    }


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("追記"),
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("追記を入力してください。")},
    )
