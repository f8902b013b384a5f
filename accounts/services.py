"""Every write to accounts: registration, verification, tokens, password reset, profile."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.auth import lockout_ends_at
from accounts.models import User
from core.emails import normalize_email
from core.exceptions import ApplicationError
from core.links import absolute_url
from core.ratelimit import rate_limit_allows
from outbox.services import email_enqueue_template

VERIFY_SALT = "accounts.email-verification"
RESET_SALT = "accounts.password-reset"


class EmailNotVerified(ApplicationError):
    """The password was right but the address is not confirmed yet: the page offers a new link."""


class LoginLockedOut(Exception):
    """Too many failed logins for this email from this address; ``until`` is when to try again."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


def email_verification_token_make(*, user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT, compress=True)


def _password_validate(*, password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(
            _("パスワードが条件を満たしていません。"), extra={"password": error.messages}
        ) from error


@transaction.atomic
def user_create(
    *, email: str, password: str | None, display_name: str = "", role: str = User.Role.CLIENT, **fields
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            _("このメールアドレスは既に登録されています。"), extra={"email": [_("登録済みです。")]}
        )
    user = User(email=email, display_name=display_name.strip(), role=role, **fields)
    if password is not None:
        _password_validate(password=password, user=user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # Another request registered the same address a moment ago.
        raise ApplicationError(_("このメールアドレスは既に登録されています。")) from error
    return user


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str) -> User | None:
    """Creates a client and emails a verification link.

    For an address that already has an account the owner gets a notice instead (or, while the
    account waits for confirmation, a new verification link), and the caller answers exactly as for
    a new one, so registration never reveals who has an account: the password is judged before the
    address is looked up (a weak one is refused alike for both), and the existing branch hashes it
    too, so both take the same time.
    """
    email = normalize_email(email)
    _password_validate(password=password, user=User(email=email, display_name=display_name.strip()))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)  # the hashing the new account's password costs; the result is unused
        if existing.is_active and not existing.email_verified:
            # The first link was lost or has expired: registering again is how many people retry.
            verification_resend(email=email)
            return None
        email_enqueue_template(
            kind="accounts.register_existing",
            recipient=existing.email,
            key=f"{existing.pk}:{timezone.now():%Y%m%d%H}",  # at most one such notice an hour
            template="accounts/email/register_existing",
            template_context={"user": existing, "site_url": settings.SITE_URL},
        )
        return None
    user = user_create(email=email, password=password, display_name=display_name, role=User.Role.CLIENT)
    user_send_verification(user=user)
    return user


def user_send_verification(*, user: User) -> None:
    token = email_verification_token_make(user=user)
    email_enqueue_template(
        kind="accounts.verify_email",
        recipient=user.email,
        # Per link, not per user: a link asked for again is a new mail (the signed token is timestamped).
        key=f"{user.pk}:{token[-16:]}",
        template="accounts/email/verify_email",
        template_context={
            "user": user,
            "token": token,
            "link": absolute_url("accounts:verify-email", query={"token": token}),
            "valid_days": settings.EMAIL_VERIFICATION_MAX_AGE.days,
        },
        carries_secret=True,
    )


@transaction.atomic
def verification_resend(*, email: str) -> None:
    """Emails a fresh verification link when the address has an account still waiting for one.

    The caller answers the same for every address. At most one link per address and
    ``verification_address`` window, whoever asks and from wherever, so nobody floods a mailbox.
    """
    email = normalize_email(email)
    if not rate_limit_allows(scope="verification_address", key=email):
        return
    user = User.objects.filter(email__iexact=email, is_active=True, email_verified_at__isnull=True).first()
    if user is not None:
        user_send_verification(user=user)


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    invalid = ApplicationError(
        _("確認リンクが無効か、有効期限が切れています。"), extra={"token": [_("無効です。")]}
    )
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        raise invalid from None
    user = User.objects.select_for_update().filter(pk=payload.get("user"), is_active=True).first()
    if user is None or user.email != payload.get("email"):
        raise invalid
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def session_login_check(*, request, email: str, password: str) -> User:
    """Checks the password (django-axes counts failures and locks out) and that the user may log in."""
    user = authenticate(request=request, username=normalize_email(email), password=password)
    if getattr(request, "axes_locked_out", False):
        raise LoginLockedOut(until=lockout_ends_at(request, getattr(request, "axes_credentials", None)))
    if user is None or not user.is_active:
        raise ApplicationError(_("メールアドレスまたはパスワードが正しくありません。"))
    if not user.email_verified:
        raise EmailNotVerified(
            _("メールアドレスの確認が済んでいません。届いたメールのリンクを開いてください。")
        )
    return user


def token_create(*, request, email: str, password: str) -> tuple[User, AuthToken, str]:
    """Issues an API token after the same checks as a session login."""
    user = session_login_check(request=request, email=email, password=password)
    instance, token = AuthToken.objects.create(user=user)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user, instance, token


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def _reset_token_make(user: User) -> str:
    return signing.dumps(
        {"user": user.pk, "token": default_token_generator.make_token(user)}, salt=RESET_SALT
    )


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Emails a reset link when the address has an account; the caller always answers the same.

    One mail per address and ``password_reset_address`` window: asking again (from any address) sends
    nothing more, so nobody floods an owner's mailbox with reset links.
    """
    email = normalize_email(email)
    if not rate_limit_allows(scope="password_reset_address", key=email):
        return
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    token = _reset_token_make(user)
    email_enqueue_template(
        kind="accounts.password_reset",
        recipient=user.email,
        key=f"{user.pk}:{token[-16:]}",
        template="accounts/email/password_reset",
        template_context={
            "user": user,
            "token": token,
            "link": absolute_url("accounts:password-reset-confirm", query={"token": token}),
        },
        carries_secret=True,
    )


@transaction.atomic
def password_reset_confirm(*, token: str, password: str) -> User:
    invalid = ApplicationError(
        _("再設定リンクが無効か、有効期限が切れています。"), extra={"token": [_("無効です。")]}
    )
    try:
        payload = signing.loads(token, salt=RESET_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except (signing.BadSignature, TypeError, ValueError):
        raise invalid from None
    user = User.objects.select_for_update().filter(pk=payload.get("user"), is_active=True).first()
    # The inner token is bound to the password hash and last login: it works once.
    if user is None or not default_token_generator.check_token(user, payload.get("token", "")):
        raise invalid
    _password_validate(password=password, user=user)
    user.set_password(password)
    # Resetting proves control of the mailbox.
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    # Every session and token issued under the old password ends.
    AuthToken.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_update(*, user: User, display_name: str | None = None) -> User:
    if display_name is not None:
        user.display_name = display_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name"])
    return user


COUNSELOR_GROUP = "カウンセラー"
# Not the outbox: it holds every client's mail, and its admin is for superusers alone.
COUNSELOR_ADMIN_APPS = ("counseling", "newsletter", "courses", "payments")


def counselor_group_ensure() -> Group:
    """The admin permissions every counselor has: the practice's own apps, not user management."""
    group, _created = Group.objects.get_or_create(name=COUNSELOR_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=COUNSELOR_ADMIN_APPS))
    return group


@transaction.atomic
def counselor_create(
    *, email: str, password: str, display_name: str = "", is_superuser: bool = False
) -> User:
    user = user_create(
        email=email,
        password=password,
        display_name=display_name,
        role=User.Role.COUNSELOR,
        is_staff=True,
        is_superuser=is_superuser,
        email_verified_at=timezone.now(),
    )
    user.groups.add(counselor_group_ensure())
    return user
