"""Checking a worksheet entry's answers against its template's JSON Schema, with messages people read.

The result maps each wrong field, as a dotted path inside ``answers`` ("items.2",
"relationships.0.give"), to Japanese messages: what a form shows next to the field.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

TYPE_NAMES = {
    "string": "文章",
    "integer": "整数",
    "number": "数値",
    "array": "リスト",
    "object": "項目のまとまり",
    "boolean": "はい／いいえ",
}


def _path(parts) -> str:
    return ".".join(str(part) for part in parts)


def _count_message(schema: dict) -> str:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None and low == high:
        return ngettext("%(count)s項目を入力してください。", "%(count)s項目を入力してください。", low) % {
            "count": low
        }
    if high is None:
        return ngettext(
            "%(count)s項目以上を入力してください。", "%(count)s項目以上を入力してください。", low
        ) % {"count": low}
    if low is None:
        return ngettext("%(count)s項目まで入力できます。", "%(count)s項目まで入力できます。", high) % {
            "count": high
        }
    return _("%(low)s〜%(high)s項目を入力してください。") % {"low": low, "high": high}


def _messages(error: SchemaError) -> list[tuple[str, str]]:
    """(path, message) pairs for one schema error; "required" and "additionalProperties" name the
    properties themselves rather than the object holding them."""
    where, schema, instance = list(error.absolute_path), error.schema, error.instance
    if error.validator == "required":
        return [
            (_path([*where, name]), _("入力してください。"))
            for name in error.validator_value
            if isinstance(instance, dict) and name not in instance
        ]
    if error.validator == "additionalProperties":
        known = set(schema.get("properties", {}))
        return [
            (_path([*where, name]), _("この項目は使えません。")) for name in instance if name not in known
        ]
    if error.validator == "type":
        expected = TYPE_NAMES.get(str(error.validator_value), str(error.validator_value))
        return [(_path(where), _("%(type)sで入力してください。") % {"type": expected})]
    if error.validator in ("minLength", "pattern"):
        return [(_path(where), _("空欄にはできません。"))]
    if error.validator == "maxLength":
        return [(_path(where), _("%(count)s文字以内で入力してください。") % {"count": error.validator_value})]
    if error.validator in ("minItems", "maxItems"):
        return [(_path(where), _count_message(schema))]
    if error.validator in ("minimum", "maximum"):
        return [
            (
                _path(where),
                _("%(low)s〜%(high)sの数で入力してください。")
                % {"low": schema.get("minimum", "—"), "high": schema.get("maximum", "—")},
            )
        ]
    return [(_path(where), _("入力内容が正しくありません。"))]


def answers_errors(*, schema: dict, answers) -> dict[str, list[str]]:
    """The fields of ``answers`` that break ``schema``, each with its messages; empty when valid."""
    if not isinstance(answers, dict):
        return {"": [_("回答は項目ごとに入力してください。")]}
    errors: dict[str, list[str]] = {}
    for error in sorted(
        Draft202012Validator(schema).iter_errors(answers),
        key=lambda e: [str(part) for part in e.absolute_path],
    ):
        for path, message in _messages(error):
            messages = errors.setdefault(path, [])
            # minLength and pattern both refuse an empty text: say it once.
            if message not in messages:
                messages.append(message)
    return errors
