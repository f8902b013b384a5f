from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Email is the login and is matched without regard to case.
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", User.Role.COUNSELOR)
        fields.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        return self._create_user(email, password, **fields)


class Role(models.TextChoices):
    COUNSELOR = "counselor", _("カウンセラー")
    CLIENT = "client", _("クライアント")


class User(AbstractBaseUser, PermissionsMixin):
    Role = Role

    email = models.EmailField(_("メールアドレス"), max_length=254, unique=True)
    display_name = models.CharField(_("表示名"), max_length=100, blank=True)
    role = models.CharField(_("役割"), max_length=16, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(_("管理画面へのアクセス"), default=False)
    email_verified_at = models.DateTimeField(_("メール確認日時"), null=True, blank=True)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>" if self.display_name else self.email

    @property
    def is_counselor(self) -> bool:
        return self.role == self.Role.COUNSELOR

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None
