from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("<str:token>/", views.pay, name="pay"),
    path("<str:token>/checkout/", views.checkout, name="checkout"),
    path("<str:token>/receipt.pdf", views.receipt, name="receipt"),
]
