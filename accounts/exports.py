from core.personal_data import register_exporter


@register_exporter("account")
def account_export(user) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "date_joined": user.date_joined.isoformat(),
        "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "api_tokens": [
            {
                "created": token.created.isoformat(),
                "expiry": token.expiry.isoformat() if token.expiry else None,
            }
            for token in user.auth_token_set.order_by("created")
        ],
    }


@register_exporter("emails_sent_to_me")
def outbox_export(user) -> list[dict]:
    from outbox.selectors import email_list_for_recipient

    return [
        {"kind": kind, "subject": subject, "status": status, "created_at": created_at.isoformat()}
        for kind, subject, status, created_at in email_list_for_recipient(email=user.email).values_list(
            "kind", "subject", "status", "created_at"
        )
    ]
