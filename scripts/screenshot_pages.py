"""The pages `make screenshots` visits: (name, visit(page)) pairs, in reading order."""

from collections.abc import Callable, Iterator

DEMO_CLIENT = ("client@example.com", "demo-client-pass")
DEMO_COUNSELOR = ("counselor@example.com", "demo-counselor-pass")


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()


def pages(shell: Callable[[str], str]) -> Iterator[tuple[str, Callable]]:
    yield "home", lambda page: page.goto("/")
    yield "accounts-login", lambda page: page.goto("/accounts/login/")
    yield "accounts-register", lambda page: page.goto("/accounts/register/")
    yield "accounts-password-reset", lambda page: page.goto("/accounts/password-reset/")

    def login_error(page):
        page.goto("/accounts/login/")
        page.get_by_label("メールアドレス").fill("client@example.com")
        page.get_by_label("パスワード").fill("wrong-password")
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_load_state()

    yield "accounts-login-error", login_error
