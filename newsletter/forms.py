from django import forms
from django.utils.translation import gettext_lazy as _

from newsletter.consent import WORDING_REVISED, consent_version_current, consent_wording


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("メールアドレス"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    name = forms.CharField(
        label=_("お名前（任意）"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        required=True, error_messages={"required": _("メール講座の受け取りへの同意が必要です。")}
    )
    consent_version = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": WORDING_REVISED},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label is the versioned legal wording the consent record will point at. A form shown
        # before the wording changed is refused: its reader agreed to a text that no longer holds.
        version = consent_version_current()
        self.fields["consent"].label = consent_wording(version)
        self.fields["consent_version"].choices = [(version, version)]
        self.fields["consent_version"].initial = version

    def clean(self):
        cleaned_data = super().clean()
        # The version travels in a hidden field: its error is said above the form, where it is seen.
        for message in self._errors.pop("consent_version", []):
            self.add_error(None, message)
        return cleaned_data


class WorkbookLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("ご登録のメールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
