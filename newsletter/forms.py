from django import forms
from django.utils.translation import gettext_lazy as _

from newsletter.consent import CONSENT_WORDINGS, CURRENT_CONSENT_VERSION, consent_wording


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
        choices=[(version, version) for version in CONSENT_WORDINGS],
        initial=CURRENT_CONSENT_VERSION,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label is the versioned legal wording the consent record will point at.
        self.fields["consent"].label = consent_wording(CURRENT_CONSENT_VERSION)


class WorkbookLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("ご登録のメールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
