"""Worksheet entries as HTML forms, drawn from each template's JSON Schema.

Field names are the dotted paths the schema check reports errors under ("items.2",
"relationships.0.give"), so each message lands beside its own input. The schema stays the only
judge of what is valid: the form collects what was typed, the service checks it.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from core.api import check_calendar_range

# Inputs offered for a list whose length the writer chooses, within the schema's bounds.
LIST_ROWS = 5
OBJECT_ROWS = 3
# Integers with at most this many choices are picked from a list, larger ranges typed.
SELECT_MAX_CHOICES = 10
# Longer answers get a text area.
SHORT_TEXT = 300


@dataclass
class Block:
    """One piece of the form's layout: a single field, or a group (fieldset) of blocks."""

    path: str
    title: str = ""
    description: str = ""
    field_name: str = ""
    children: list["Block"] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return not self.field_name


def _rows(schema: dict, default: int) -> int:
    low, high = schema.get("minItems", 1), schema.get("maxItems", default)
    return max(low, min(high, default))


def _value_field(schema: dict, *, label: str) -> forms.Field:
    help_text = schema.get("description", "")
    if schema.get("type") == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None and high - low < SELECT_MAX_CHOICES:
            return forms.TypedChoiceField(
                label=label,
                help_text=help_text,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *((n, str(n)) for n in range(low, high + 1))],
            )
        return forms.IntegerField(label=label, help_text=help_text, required=False)
    long_text = schema.get("maxLength", SHORT_TEXT + 1) > SHORT_TEXT
    widget = forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput
    return forms.CharField(label=label, help_text=help_text, required=False, strip=True, widget=widget)


class WorksheetEntryForm(forms.Form):
    date = forms.DateField(
        label=_("日付"), validators=[check_calendar_range], widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, schema: dict, today: datetime.date, **kwargs):
        super().__init__(*args, initial={"date": today}, **kwargs)
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        self.schema = schema
        self._row_counts: dict[str, int] = {}
        self.layout = [self._block(name, sub, name) for name, sub in schema.get("properties", {}).items()]

    def _add(self, path: str, schema: dict, label: str) -> Block:
        self.fields[path] = _value_field(schema, label=label)
        return Block(path=path, field_name=path)

    def _block(self, path: str, schema: dict, title: str) -> Block:
        title = schema.get("title", title)
        if schema.get("type") != "array":
            return self._add(path, schema, title)
        items = schema.get("items", {})
        group = Block(path=path, title=title, description=schema.get("description", ""))
        is_table = items.get("type") == "object"
        self._row_counts[path] = _rows(schema, OBJECT_ROWS if is_table else LIST_ROWS)
        if is_table:
            for row in range(self._row_counts[path]):
                row_path = f"{path}.{row}"
                row_block = Block(path=row_path, title=f"{items.get('title', title)} {row + 1}")
                for name, sub in items.get("properties", {}).items():
                    row_block.children.append(self._add(f"{row_path}.{name}", sub, sub.get("title", name)))
                group.children.append(row_block)
        else:
            item_title = items.get("title", title)
            for row in range(self._row_counts[path]):
                group.children.append(self._add(f"{path}.{row}", items, f"{item_title} {row + 1}"))
        return group

    # --- what was typed, as the answers the schema judges ------------------------------------

    def answers(self) -> dict:
        data = self.cleaned_data
        answers = {}
        for name, schema in self.schema.get("properties", {}).items():
            value = self._value(name, schema, data)
            if value is not None:
                answers[name] = value
        return answers

    def _value(self, path: str, schema: dict, data: dict):
        if schema.get("type") != "array":
            value = data.get(path)
            return None if value in ("", None) else value
        items = schema.get("items", {})
        values = []
        # Rows left empty are simply not used: the writer fills as many as they need.
        for row in self._filled_rows(path, schema):
            if items.get("type") == "object":
                entry = {
                    name: self._value(f"{path}.{row}.{name}", sub, data)
                    for name, sub in items.get("properties", {}).items()
                }
                values.append({name: value for name, value in entry.items() if value is not None})
            else:
                values.append(self._value(f"{path}.{row}", items, data))
        return values

    # --- the service's verdict, placed beside the fields --------------------------------------

    def add_answer_errors(self, errors) -> None:
        """``errors`` as the worksheet service reports them: a list for the whole entry, or
        dotted paths to messages. Rows were compacted before the check, so a path's row number
        counts filled rows; it is mapped back to the row the writer used."""
        if not isinstance(errors, dict):
            for message in errors:
                self.add_error(None, message)
            return
        groups = {block.path: block for block in self._groups(self.layout)}
        for path, messages in errors.items():
            target = self._typed_path(path)
            if target in self.fields:
                for message in messages:
                    self.add_error(target, message)
            elif target in groups:
                groups[target].errors.extend(messages)
            else:
                for message in messages:
                    self.add_error(None, message)

    def _groups(self, blocks):
        for block in blocks:
            if block.is_group:
                yield block
                yield from self._groups(block.children)

    def _typed_path(self, path: str) -> str:
        """Maps "items.1" (the second filled row) to the name of the input it came from."""
        parts = path.split(".")
        name, schema = parts[0], self.schema.get("properties", {}).get(parts[0], {})
        if schema.get("type") != "array" or len(parts) < 2 or not parts[1].isdecimal():
            return path
        filled = list(self._filled_rows(name, schema))
        index = int(parts[1])
        if index < len(filled):
            parts[1] = str(filled[index])
        return ".".join(parts)

    def _filled_rows(self, name: str, schema: dict):
        """The row numbers of the list ``name`` in which anything was typed, in order."""
        items = schema.get("items", {})
        for row in range(self._row_counts.get(name, 0)):
            if items.get("type") == "object":
                keys = [f"{name}.{row}.{sub}" for sub in items.get("properties", {})]
            else:
                keys = [f"{name}.{row}"]
            if any(self.cleaned_data.get(key) not in ("", None) for key in keys):
                yield row


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("クライアントへのコメント"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("送信すると、クライアントにメールでお知らせします。"),
    )


def answers_for_display(schema: dict, answers: dict) -> list[dict]:
    """An entry's answers in the schema's order with their titles, for reading."""
    shown = []
    for name, sub in schema.get("properties", {}).items():
        value = answers.get(name)
        item = {"title": sub.get("title", name), "kind": "text", "value": value}
        if sub.get("type") == "array":
            items = sub.get("items", {})
            if items.get("type") == "object":
                item["kind"] = "table"
                item["columns"] = [s.get("title", n) for n, s in items.get("properties", {}).items()]
                item["rows"] = [
                    [row.get(n, "") for n in items.get("properties", {})]
                    for row in (value or [])
                    if isinstance(row, dict)
                ]
            else:
                item["kind"] = "list"
        shown.append(item)
    return shown


SHORT_FORM_LENGTH = 80


def answers_short(schema: dict, answers: dict) -> str:
    """An entry's answers on one line, for the digest: lists joined, table rows as "a / b", cut short."""
    parts = []
    for item in answers_for_display(schema, answers):
        if item["kind"] == "list":
            parts.append("、".join(str(value) for value in item["value"] or []))
        elif item["kind"] == "table":
            parts.append(
                "；".join(" / ".join(str(value) for value in row if value != "") for row in item["rows"])
            )
        elif item["value"] not in (None, ""):
            parts.append(str(item["value"]))
    text = " ｜ ".join(part for part in parts if part)
    return text if len(text) <= SHORT_FORM_LENGTH else text[: SHORT_FORM_LENGTH - 1] + "…"
