"""The pages `make screenshots` visits: (name, visit(page)) pairs, in reading order.

Visits run one after another against the same demo database, so a later page may use what an
earlier one did (the booking made on "portal-booking-confirm" is the one cancelled later).
"""

import re
from collections.abc import Callable, Iterator

DEMO_CLIENT = ("client@example.com", "demo-client-pass")
DEMO_COUNSELOR = ("counselor@example.com", "demo-counselor-pass")
NEW_CLIENT = ("new-client@example.com", "a-new-client-pass")
SUBSCRIBER = "reader@example.com"
GUEST = "guest@example.com"


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()


def as_client(path: str) -> Callable:
    def visit(page):
        log_in(page, *DEMO_CLIENT)
        page.goto(path)

    return visit


def as_counselor(path: str) -> Callable:
    def visit(page):
        log_in(page, *DEMO_COUNSELOR)
        page.goto(path)

    return visit


def ask(shell: Callable[[str], str], code: str) -> str:
    """The last line the code printed (the shell may print a note on its automatic imports first)."""
    return shell(code).splitlines()[-1]


def link_from_outbox(shell: Callable[[str], str], recipient: str, pattern: str) -> str:
    """The path of the newest emailed link to ``recipient`` matching ``pattern``."""
    body = shell(
        "from outbox.models import OutboundEmail;"
        f"print(OutboundEmail.objects.filter(recipient='{recipient}').latest('id').body_text)"
    )
    return re.search(r"https?://[^/\s]+(" + pattern + r"\S*)", body).group(1)


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

    def english_home(page):
        page.goto("/")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()

    yield "home-english", english_home

    # --- Subscriber ----------------------------------------------------------------------------
    yield "newsletter-signup", lambda page: page.goto("/newsletter/")

    def signup_error(page):
        page.goto("/newsletter/")
        page.get_by_label("メールアドレス").fill("not-an-address")
        page.get_by_role("button", name="登録する").click()
        page.wait_for_load_state()

    yield "newsletter-signup-error", signup_error

    def signup(page):
        page.goto("/newsletter/")
        page.get_by_label("メールアドレス").fill(SUBSCRIBER)
        page.get_by_label("お名前（任意）").fill("読者 一郎")
        page.locator("#id_consent").check()
        page.get_by_role("button", name="登録する").click()
        page.wait_for_load_state()

    yield "newsletter-check-inbox", signup
    yield (
        "newsletter-confirm",
        lambda page: page.goto(link_from_outbox(shell, SUBSCRIBER, "/newsletter/confirm/")),
    )

    def confirmed(page):
        page.goto(link_from_outbox(shell, SUBSCRIBER, "/newsletter/confirm/"))
        page.get_by_role("button", name="登録を完了する").click()
        page.wait_for_load_state()

    yield "newsletter-confirmed", confirmed
    yield "newsletter-workbook-link", lambda page: page.goto("/newsletter/workbook/")
    yield (
        "newsletter-unsubscribe",
        lambda page: page.goto(link_from_outbox(shell, SUBSCRIBER, "/newsletter/unsubscribe/")),
    )

    def unsubscribed(page):
        page.goto(link_from_outbox(shell, SUBSCRIBER, "/newsletter/unsubscribe/"))
        page.get_by_role("button", name="配信を停止する").click()
        page.wait_for_load_state()

    yield "newsletter-unsubscribed", unsubscribed
    yield "newsletter-link-invalid", lambda page: page.goto("/newsletter/confirm/forged-token/")

    # --- Guest course pages --------------------------------------------------------------------
    course_id = ask(
        shell,
        "from courses.models import Course;"
        "print(Course.objects.filter(format='venue', status='published').order_by('id').first().pk)",
    )
    yield "courses-list", lambda page: page.goto("/courses/")
    yield "course-detail", lambda page: page.goto(f"/courses/{course_id}/")

    def enroll_error(page):
        page.goto(f"/courses/{course_id}/")
        page.get_by_label("お名前").fill("来場 花子")
        page.get_by_role("button", name="申し込む").click()
        page.wait_for_load_state()

    yield "course-enroll-error", enroll_error

    def enroll(page):
        page.goto(f"/courses/{course_id}/")
        page.get_by_label("お名前").fill("来場 花子")
        page.get_by_label("メールアドレス").fill(GUEST)
        page.get_by_role("button", name="申し込む").click()
        page.wait_for_load_state()

    yield "course-enrolled", enroll
    yield (
        "course-enrollment-cancel",
        lambda page: page.goto(link_from_outbox(shell, GUEST, "/courses/enrollments/")),
    )

    # --- Client portal -------------------------------------------------------------------------
    shell(
        "from accounts.models import User; from django.utils import timezone;"
        f"User.objects.filter(email='{NEW_CLIENT[0]}').exists() or User.objects.create_user("
        f"'{NEW_CLIENT[0]}', '{NEW_CLIENT[1]}', display_name='新井 はじめ', email_verified_at=timezone.now())"
    )

    def new_client(path: str) -> Callable:
        def visit(page):
            log_in(page, *NEW_CLIENT)
            page.goto(path)

        return visit

    yield "portal-home-new-client", new_client("/portal/")
    yield "portal-intake", new_client("/portal/intake/")

    def intake_error(page):
        new_client("/portal/intake/")(page)
        page.get_by_role("textbox", name=re.compile("^ご相談内容")).fill(
            "職場で認められたくて無理をしてしまいます。"
        )
        page.get_by_role("button", name="提出する").click()
        page.wait_for_load_state()

    yield "portal-intake-error", intake_error

    def intake_crisis(page):
        new_client("/portal/intake/")(page)
        page.get_by_label("職場").check()
        for group in page.get_by_role("group").all():
            radio = group.get_by_role("radio", name=re.compile("^3 "))
            if radio.count():
                radio.check()
        page.get_by_role("textbox", name=re.compile("^ご相談内容")).fill(
            "職場で認められたくて無理をしてしまいます。"
        )
        page.get_by_label("オンライン").check()
        page.get_by_label("ご連絡の方法").fill("メールでお願いします")
        page.get_by_label("今まさに").check()
        page.get_by_label("プライバシーポリシーに同意").check()
        page.get_by_role("button", name="提出する").click()
        page.wait_for_load_state()

    yield "portal-intake-done-crisis", intake_crisis
    yield "portal-home", as_client("/portal/")
    yield "portal-intake-submitted", as_client("/portal/intake/")
    yield "portal-book", as_client("/portal/book/")

    online_type = ask(
        shell,
        "from counseling.models import SessionType;"
        "print(SessionType.objects.get(format='online', active=True).pk)",
    )
    yield "portal-slots", as_client(f"/portal/book/{online_type}/")

    def slot_confirm(page):
        as_client(f"/portal/book/{online_type}/")(page)
        page.locator(".slots a").first.click()
        page.wait_for_load_state()

    yield "portal-slot-confirm", slot_confirm

    def booked(page):
        slot_confirm(page)
        page.get_by_role("button", name="予約を確定する").click()
        page.wait_for_load_state()

    yield "portal-booking", booked
    booking_id = lambda: ask(  # noqa: E731  (read when visited, after the booking exists)
        shell,
        "from counseling.models import Booking;"
        f"print(Booking.objects.filter(client__email='{DEMO_CLIENT[0]}', status='confirmed')"
        ".latest('id').pk)",
    )
    yield "portal-bookings", as_client("/portal/bookings/")
    yield (
        "portal-booking-reschedule",
        lambda page: as_client(f"/portal/bookings/{booking_id()}/reschedule/")(page),
    )
    yield "portal-booking-cancel", lambda page: as_client(f"/portal/bookings/{booking_id()}/cancel/")(page)

    def client_enrolls(page):
        as_client(f"/courses/{course_id}/")(page)
        page.get_by_role("button", name="この講座に申し込む").click()
        page.wait_for_load_state()

    yield "course-enrolled-client", client_enrolls
    yield "course-detail-enrolled", as_client(f"/courses/{course_id}/")
    yield "portal-courses", as_client("/portal/courses/")
    yield "portal-my-data", as_client("/portal/my-data/")
    yield "forbidden", as_client("/counselor/")

    # --- Counselor -----------------------------------------------------------------------------
    yield "counselor-home", as_counselor("/counselor/")
    intake_id = ask(
        shell,
        "from counseling.models import Intake;"
        "print(Intake.objects.filter(status='submitted').latest('id').pk)",
    )
    yield "counselor-intake", as_counselor(f"/counselor/intakes/{intake_id}/")
