from django import forms
from django.utils.translation import gettext_lazy as _


class GuestEnrollForm(forms.Form):
    name = forms.CharField(
        label=_("お名前"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("お申込みの確認と、開催前日のご案内をお送りします。"),
    )
