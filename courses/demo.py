from datetime import datetime, time, timedelta

from django.utils import timezone

from core.demo import register_demo_step
from courses.models import Course
from courses.services.scheduling import course_create
from payments.methods import PaymentMethod


def _at(days_ahead: int, start: time, hours: int) -> dict:
    day = timezone.localdate() + timedelta(days=days_ahead)
    starts_at = timezone.make_aware(datetime.combine(day, start))
    return {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours)}


DEMO_COURSES = (
    {
        "title": "オンライン心理学講座「見返りを求めてしまう心」",
        "description": (
            "人に尽くしたのに報われないと感じるのはなぜか。自己犠牲と「愛されている証拠」を求める心の"
            "仕組みを学び、健全なギブアンドテイクへの5つのステップを2回で実践します。"
        ),
        "format": Course.Format.ONLINE,
        "location": "https://meet.example.jp/course-demo",
        "capacity": 20,
        "price_jpy": 6000,
        "payment_instructions": (
            "初回の講座の3日前までに、みずほ銀行 丸の内支店 普通 1234567 "
            "ココロノソウダンシツ へお振り込みください。"
        ),
        # Paid in advance: the seat is held until the transfer is confirmed.
        "payment_method": PaymentMethod.TRANSFER,
        "sessions": lambda: [_at(14, time(19, 30), 2), _at(21, time(19, 30), 2)],
    },
    {
        "title": "東京会場 心理学講座「自分の価値を内側で認める」",
        "description": "少人数の対面講座です。ワークを通して「今日できたこと」を書き出す習慣を身につけます。",
        "format": Course.Format.VENUE,
        "location": "〒100-0005 東京都千代田区丸の内1-1-1 こころの相談室 セミナールーム",
        "capacity": 8,
        "price_jpy": 8000,
        "payment_instructions": "初回の講座の当日、会場の受付で現金でお支払いください。",
        "payment_method": PaymentMethod.VENUE,
        "sessions": lambda: [_at(28, time(13, 0), 3)],
    },
)


@register_demo_step(order=30)
def seed_courses(shared, write) -> None:
    counselor = shared["counselor"]
    for spec in DEMO_COURSES:
        course = Course.objects.filter(counselor=counselor, title=spec["title"]).first()
        if course is None:
            fields = {key: value for key, value in spec.items() if key != "sessions"}
            course = course_create(
                counselor=counselor, status=Course.Status.PUBLISHED, sessions=spec["sessions"](), **fields
            )
        write(
            f"course     {course.title} ({course.get_format_display()}, {course.sessions.count()} sessions)"
        )
