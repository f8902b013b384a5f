import re

import pytest
from django.core import mail

from accounts.models import User
from tests.accounts.factories import PASSWORD, ClientFactory
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_registers_opens_the_emailed_link_and_logs_in(page):
    page.goto("/accounts/register/")
    assert_accessible(page)
    page.get_by_label("お名前").fill("山本 さくら")
    page.get_by_label("メールアドレス").fill("sakura@example.com")
    page.get_by_label("パスワード（10文字以上）").fill("a-long-enough-secret")
    page.get_by_role("button", name="登録する").click()
    page.get_by_role("heading", name="確認メールをお送りしました").wait_for()

    link = re.search(r"http://\S+/accounts/verify-email/\?token=\S+", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://127.0.0.1:8000", ""))
    page.get_by_text("確認が完了しました").wait_for()
    assert User.objects.get(email="sakura@example.com").email_verified

    page.get_by_role("link", name="ログインへ").click()
    page.get_by_label("メールアドレス").fill("sakura@example.com")
    page.get_by_label("パスワード").fill("a-long-enough-secret")
    page.get_by_label("パスワード").press("Enter")
    page.get_by_role("button", name="ログアウト").wait_for()


def test_a_wrong_password_shows_the_error_and_keeps_the_email(page):
    user = ClientFactory()
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("メールアドレス").fill(user.email)
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン").click()

    page.get_by_role("alert").filter(has_text="正しくありません").wait_for()
    assert page.get_by_label("メールアドレス").input_value() == user.email
    assert PASSWORD != "not-the-password"
