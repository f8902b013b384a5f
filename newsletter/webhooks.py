"""ESP tracking webhooks (bounces, complaints) under /newsletter/webhooks/<esp>/tracking/.

Only ESPs whose webhooks are secured by anymail's WEBHOOK_SECRET (HTTP basic auth) are wired. A
missing or wrong secret answers 401, as HTTP auth should (anymail itself answers 400); with no
secret configured, every request is refused rather than trusted.
"""

from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse


class SecretRequiredMixin:
    warn_if_no_basic_auth = False

    def post(self, request, *args, **kwargs):
        try:
            if not self.basic_auth:
                raise AnymailWebhookValidationFailure("ANYMAIL WEBHOOK_SECRET is not configured")
            self.run_validators(request)
        except AnymailWebhookValidationFailure:
            response = HttpResponse("Unauthorized", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Basic realm="newsletter webhook"'
            return response
        try:
            events = self.parse_events(request)
        except (ValueError, KeyError, TypeError, AttributeError, AnymailError, ImproperlyConfigured):
            # A body that is not this ESP's event format: the sender's mistake, not ours.
            return HttpResponse("Bad Request", status=400, content_type="text/plain")
        for event in events:
            self.signal.send(sender=self.__class__, event=event, esp_name=self.esp_name)
        return HttpResponse()


class PostmarkTracking(SecretRequiredMixin, PostmarkTrackingWebhookView):
    pass


class BrevoTracking(SecretRequiredMixin, BrevoTrackingWebhookView):
    pass


class MailjetTracking(SecretRequiredMixin, MailjetTrackingWebhookView):
    pass
