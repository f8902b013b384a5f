import re

import pytest
from django.core import mail

from courses.models import Enrollment
from tests.browser.conftest import assert_accessible
from tests.courses.factories import CourseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guest_finds_a_course_enrolls_and_can_cancel_from_the_emailed_link(page):
    course = CourseFactory(title="自分の価値を内側で認める", capacity=8)

    page.goto("/courses/")
    assert_accessible(page)
    assert page.get_by_text("残り8席").is_visible()
    page.get_by_role("link", name="自分の価値を内側で認める").click()
    assert_accessible(page)
    page.get_by_label("お名前").fill("来場 花子")
    page.get_by_role("button", name="申し込む").click()  # no address yet: told beside the field
    page.locator("#id_email_error").wait_for()
    assert page.get_by_label("お名前").input_value() == "来場 花子"
    assert_accessible(page)
    page.get_by_label("メールアドレス").fill("guest@example.com")
    page.get_by_label("メールアドレス").press("Enter")
    page.get_by_role("heading", name="お申込みを受け付けました").wait_for()
    assert_accessible(page)
    enrollment = Enrollment.objects.get()
    assert (enrollment.course_id, enrollment.guest_email, enrollment.status) == (
        course.pk,
        "guest@example.com",
        "confirmed",
    )

    link = re.search(r"https?://[^/\s]+(/courses/enrollments/\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="取り消す").click()
    page.get_by_role("heading", name="お申込みを取り消しました").wait_for()
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled"
