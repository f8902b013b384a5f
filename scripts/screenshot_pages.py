"""The pages `make screenshots` visits: (name, visit(page)) pairs, in reading order.

Visits run one after another against the same demo database, so a later page may use what an
earlier one did (the booking made on "portal-booking" is the one cancelled later). Ids are asked of
the database when the visit runs, after the visits before it.
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


def press(page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def visit(path: str | Callable[[], str], *, who: tuple[str, str] | None = None, then=None) -> Callable:
    """Logs in as ``who`` (if given), opens ``path`` (a path, or a function giving one when the
    visit runs) and does ``then(page)`` there."""

    def run(page):
        if who:
            log_in(page, *who)
        page.goto(path() if callable(path) else path)
        if then:
            then(page)

    return run


def pages(shell: Callable[[str], str]) -> Iterator[tuple[str, Callable]]:
    def ask(code: str) -> str:
        # The last line: the shell may first print a note on its automatic imports.
        return shell(code).splitlines()[-1]

    def emailed(recipient: str, pattern: str) -> Callable[[], str]:
        """The path of the newest emailed link to ``recipient`` matching ``pattern``."""

        def path() -> str:
            body = shell(
                "from outbox.selectors import OutboundEmail;"
                f"print(OutboundEmail.objects.filter(recipient='{recipient}').latest('id').body_text)"
            )
            return re.search(r"https?://[^/\s]+(" + pattern + r"\S*)", body).group(1)

        return path

    def newest(model: str, **filters: str) -> Callable[[], str]:
        """A path-maker's id: the newest row of ``model`` ("app.Model") matching ``filters``."""
        app, name = model.split(".")
        lookup = ", ".join(f"{key}='{value}'" for key, value in filters.items())
        return lambda: ask(
            f"from {app}.models import {name};print({name}.objects.filter({lookup}).latest('id').pk)"
        )

    # --- Home and accounts ---------------------------------------------------------------------
    yield "home", visit("/")
    yield "home-english", visit("/", then=lambda page: press(page, "English"))
    yield "accounts-login", visit("/accounts/login/")

    def wrong_password(page):
        page.get_by_label("メールアドレス").fill(DEMO_CLIENT[0])
        page.get_by_label("パスワード").fill("wrong-password")
        press(page, "ログイン")

    yield "accounts-login-error", visit("/accounts/login/", then=wrong_password)
    yield "accounts-register", visit("/accounts/register/")
    yield "accounts-password-reset", visit("/accounts/password-reset/")
    yield "accounts-verification-resend", visit("/accounts/verify-email/resend/")
    yield "privacy-policy", visit("/privacy/")

    # --- Subscriber ----------------------------------------------------------------------------
    yield "newsletter-signup", visit("/newsletter/")

    def bad_address(page):
        page.get_by_label("メールアドレス").fill("not-an-address")
        press(page, "登録する")

    yield "newsletter-signup-error", visit("/newsletter/", then=bad_address)

    def sign_up(page):
        page.get_by_label("メールアドレス").fill(SUBSCRIBER)
        page.get_by_label("お名前（任意）").fill("読者 一郎")
        page.locator("#id_consent").check()
        press(page, "登録する")

    yield "newsletter-check-inbox", visit("/newsletter/", then=sign_up)
    confirm_link = emailed(SUBSCRIBER, "/newsletter/confirm/")
    yield "newsletter-confirm", visit(confirm_link)
    yield "newsletter-confirmed", visit(confirm_link, then=lambda page: press(page, "登録を完了する"))
    yield "newsletter-workbook-link", visit("/newsletter/workbook/")
    yield "newsletter-exercises", visit("/newsletter/exercises/")
    unsubscribe_link = emailed(SUBSCRIBER, "/newsletter/unsubscribe/")
    yield "newsletter-unsubscribe", visit(unsubscribe_link)
    yield "newsletter-unsubscribed", visit(unsubscribe_link, then=lambda page: press(page, "配信を停止する"))
    yield "newsletter-link-invalid", visit("/newsletter/confirm/forged-token/")

    # --- Guest course pages --------------------------------------------------------------------
    venue_course = newest("courses.Course", format="venue", status="published")
    course_page = lambda: f"/courses/{venue_course()}/"  # noqa: E731
    yield "courses-list", visit("/courses/")
    yield "course-detail", visit(course_page)
    yield "course-detail-english", visit(course_page, then=lambda page: press(page, "English"))

    def enroll_without_address(page):
        page.get_by_label("お名前").fill("来場 花子")
        press(page, "申し込む")

    yield "course-enroll-error", visit(course_page, then=enroll_without_address)

    def enroll(page):
        page.get_by_label("お名前").fill("来場 花子")
        page.get_by_label("メールアドレス").fill(GUEST)
        press(page, "申し込む")

    yield "course-enrolled", visit(course_page, then=enroll)
    yield "course-enrollment-cancel", visit(emailed(GUEST, "/courses/enrollments/"))

    # --- Client portal: a new client's intake ---------------------------------------------------
    email, password = NEW_CLIENT
    shell(
        "from accounts.models import User; from django.utils import timezone;"
        f"User.objects.filter(email='{email}').exists() or User.objects.create_user("
        f"'{email}', '{password}', display_name='新井 はじめ', email_verified_at=timezone.now())"
    )
    yield "portal-home-new-client", visit("/portal/", who=NEW_CLIENT)
    yield "portal-intake", visit("/portal/intake/", who=NEW_CLIENT)

    def concern(page):
        return page.get_by_role("textbox", name=re.compile("^ご相談内容"))

    def intake_half_done(page):
        concern(page).fill("職場で認められたくて無理をしてしまいます。")
        press(page, "提出する")

    yield "portal-intake-error", visit("/portal/intake/", who=NEW_CLIENT, then=intake_half_done)

    def intake_in_crisis(page):
        page.get_by_label("職場").check()
        for group in page.get_by_role("group").all():
            answer = group.get_by_role("radio", name=re.compile("^3 "))
            if answer.count():
                answer.check()
        concern(page).fill("職場で認められたくて無理をしてしまいます。")
        page.get_by_label("オンライン").check()
        page.get_by_label("ご連絡の方法").fill("メールでお願いします")
        page.get_by_label("今まさに").check()
        page.get_by_label("プライバシーポリシーに同意").check()
        press(page, "提出する")

    yield "portal-intake-done-crisis", visit("/portal/intake/", who=NEW_CLIENT, then=intake_in_crisis)

    # --- Client portal: the demo client ---------------------------------------------------------
    yield "portal-home", visit("/portal/", who=DEMO_CLIENT)
    yield "portal-intake-submitted", visit("/portal/intake/", who=DEMO_CLIENT)
    yield "portal-book", visit("/portal/book/", who=DEMO_CLIENT)
    online = ask(
        "from counseling.models import SessionType;print(SessionType.objects.get(format='online').pk)"
    )
    yield "portal-slots", visit(f"/portal/book/{online}/", who=DEMO_CLIENT)
    yield (
        "portal-slots-english",
        visit(f"/portal/book/{online}/", who=DEMO_CLIENT, then=lambda page: press(page, "English")),
    )

    def pick_a_slot_next_week(page):
        # Past the cancellation window, so that the booking can be rescheduled too.
        page.get_by_role("link", name="次の7日間 →").click()
        page.locator(".slots a").first.click()
        page.wait_for_load_state()

    yield "portal-slot-confirm", visit(f"/portal/book/{online}/", who=DEMO_CLIENT, then=pick_a_slot_next_week)

    def book(page):
        pick_a_slot_next_week(page)
        press(page, "予約を確定する")

    yield "portal-booking", visit(f"/portal/book/{online}/", who=DEMO_CLIENT, then=book)
    booking = newest("counseling.Booking", client__email=DEMO_CLIENT[0], status="confirmed")
    yield "portal-bookings", visit("/portal/bookings/", who=DEMO_CLIENT)
    yield (
        "portal-booking-reschedule",
        visit(lambda: f"/portal/bookings/{booking()}/reschedule/", who=DEMO_CLIENT),
    )
    yield "portal-booking-cancel", visit(lambda: f"/portal/bookings/{booking()}/cancel/", who=DEMO_CLIENT)

    shell(
        "from datetime import timedelta; from django.utils import timezone;"
        "from accounts.models import User; from counseling.models import Worksheet, WorksheetTemplate;"
        "from counseling.services.worksheets import worksheet_assign;"
        f"client = User.objects.get(email='{DEMO_CLIENT[0]}');"
        "Worksheet.objects.filter(client=client, status='assigned').exists() or worksheet_assign("
        f"counselor=User.objects.get(email='{DEMO_COUNSELOR[0]}'), client=client,"
        "template=WorksheetTemplate.objects.get(code='step4.saying_no'),"
        "due_date=timezone.localdate() + timedelta(days=14),"
        "message='一度だけでも大丈夫です。', notify=False)"
    )
    assigned = newest("counseling.Worksheet", client__email=DEMO_CLIENT[0], status="assigned")
    submitted = newest("counseling.Worksheet", client__email=DEMO_CLIENT[0], status="submitted")
    yield "portal-worksheets", visit("/portal/worksheets/", who=DEMO_CLIENT)
    yield "portal-worksheet", visit(lambda: f"/portal/worksheets/{assigned()}/", who=DEMO_CLIENT)

    def half_an_entry(page):
        page.get_by_label("どんな場面だったか").fill("同僚に急ぎの仕事を頼まれた")
        press(page, "記入を保存する")

    yield (
        "portal-worksheet-error",
        visit(lambda: f"/portal/worksheets/{assigned()}/", who=DEMO_CLIENT, then=half_an_entry),
    )
    yield "portal-worksheet-submitted", visit(lambda: f"/portal/worksheets/{submitted()}/", who=DEMO_CLIENT)
    yield (
        "course-enrolled-client",
        visit(course_page, who=DEMO_CLIENT, then=lambda page: press(page, "この講座に申し込む")),
    )
    yield "course-detail-enrolled", visit(course_page, who=DEMO_CLIENT)
    yield "portal-courses", visit("/portal/courses/", who=DEMO_CLIENT)
    yield "portal-my-data", visit("/portal/my-data/", who=DEMO_CLIENT)
    yield "forbidden", visit("/portal/", who=DEMO_COUNSELOR)

    # --- Counselor -----------------------------------------------------------------------------
    yield "counselor-home", visit("/counselor/", who=DEMO_COUNSELOR)
    intake = newest("counseling.Intake", status="submitted")
    yield "counselor-intake", visit(lambda: f"/counselor/intakes/{intake()}/", who=DEMO_COUNSELOR)
    yield "counselor-worksheets", visit("/counselor/worksheets/", who=DEMO_COUNSELOR)
    review = lambda: f"/counselor/worksheets/{submitted()}/"  # noqa: E731
    yield "counselor-worksheet", visit(review, who=DEMO_COUNSELOR)
    yield (
        "counselor-worksheet-error",
        visit(review, who=DEMO_COUNSELOR, then=lambda page: press(page, "確認済みにしてコメントを送る")),
    )
    yield "counselor-clients", visit("/counselor/clients/", who=DEMO_COUNSELOR)
    yield "counselor-clients-search", visit("/counselor/clients/?q=example", who=DEMO_COUNSELOR)
    client_id = ask(f"from accounts.models import User;print(User.objects.get(email='{DEMO_CLIENT[0]}').pk)")
    client_file = f"/counselor/clients/{client_id}/"
    yield "counselor-client", visit(client_file, who=DEMO_COUNSELOR)
    yield "counselor-client-by-tag", visit(f"{client_file}?tag=step.1", who=DEMO_COUNSELOR)
    yield "counselor-client-book", visit(f"{client_file}book/", who=DEMO_COUNSELOR)
    book_online = f"{client_file}book/?session_type={online}"
    yield "counselor-client-book-slots", visit(book_online, who=DEMO_COUNSELOR)

    def weekly_series(page):
        page.get_by_role("link", name="次の7日間 →").click()
        page.locator(".slots a").first.click()
        page.get_by_label("毎週").check()
        page.get_by_label("回数").fill("4")
        press(page, "予約できるか確かめる")

    yield "counselor-client-book-series", visit(book_online, who=DEMO_COUNSELOR, then=weekly_series)

    def book_series(page):
        weekly_series(page)
        page.get_by_role("button", name=re.compile("回(を|だけ)予約する$")).click()
        page.wait_for_load_state()

    yield "counselor-client-booked", visit(book_online, who=DEMO_COUNSELOR, then=book_series)
    assign = f"{client_file}worksheets/new/"
    yield "counselor-worksheet-assign", visit(assign, who=DEMO_COUNSELOR)
    yield (
        "counselor-worksheet-assign-error",
        visit(assign, who=DEMO_COUNSELOR, then=lambda page: press(page, "割り当ててメールで知らせる")),
    )
    yield "counselor-schedule", visit("/counselor/schedule/", who=DEMO_COUNSELOR)
    yield (
        "counselor-schedule-error",
        visit("/counselor/schedule/", who=DEMO_COUNSELOR, then=lambda page: press(page, "休みを追加する")),
    )
    yield "counselor-session-type", visit(f"/counselor/schedule/session-types/{online}/", who=DEMO_COUNSELOR)

    def review_it(page):
        page.get_by_label("クライアントへのコメント").fill("2日とも書けましたね。続けてみましょう。")
        press(page, "確認済みにしてコメントを送る")

    yield "counselor-worksheet-reviewed", visit(review, who=DEMO_COUNSELOR, then=review_it)

    # --- Counselor: agenda, calendar, booking and notes ------------------------------------------
    yield "counselor-calendar", visit("/counselor/calendar/", who=DEMO_COUNSELOR)
    booked = lambda: f"/counselor/bookings/{booking()}/"  # noqa: E731
    yield "counselor-booking", visit(booked, who=DEMO_COUNSELOR)
    yield "counselor-booking-reschedule", visit(lambda: f"{booked()}reschedule/", who=DEMO_COUNSELOR)
    yield "counselor-booking-note-blank", visit(lambda: f"{booked()}note/", who=DEMO_COUNSELOR)
    yield "counselor-client-note-new", visit(f"/counselor/clients/{client_id}/notes/new/", who=DEMO_COUNSELOR)
    shell(
        "from datetime import timedelta; from django.utils import timezone;"
        "from accounts.models import User; from counseling.models import SessionNote;"
        "from counseling.services.notes import session_note_create;"
        f"counselor = User.objects.get(email='{DEMO_COUNSELOR[0]}');"
        "SessionNote.objects.filter(counselor=counselor, status='draft').exists() or session_note_create("
        f"counselor=counselor, client=User.objects.get(email='{DEMO_CLIENT[0]}'),"
        "date=timezone.localdate() - timedelta(days=1), presenting_concern='断れずに仕事を抱え込んでしまう',"
        "homework='断る練習を1回してみる', tags=['scene.work', 'reason.self_sacrifice', 'step.4'])"
    )
    draft = newest("counseling.SessionNote", status="draft")
    signed = newest("counseling.SessionNote", status="signed")
    yield "counselor-note-draft", visit(lambda: f"/counselor/notes/{draft()}/", who=DEMO_COUNSELOR)
    yield "counselor-note-sign", visit(lambda: f"/counselor/notes/{draft()}/sign/", who=DEMO_COUNSELOR)
    yield "counselor-note-signed", visit(lambda: f"/counselor/notes/{signed()}/", who=DEMO_COUNSELOR)
    yield (
        "counselor-worksheet-assign-from-note",
        visit(lambda: f"/counselor/clients/{client_id}/worksheets/new/?note={signed()}", who=DEMO_COUNSELOR),
    )
    yield (
        "counselor-schedule-calendar-feed",
        visit("/counselor/schedule/", who=DEMO_COUNSELOR, then=lambda page: press(page, "配信のURLを作る")),
    )
