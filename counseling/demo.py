"""Demo data: the practice's three session types, weekly hours and an intake for the demo client,
so that `make run` offers free slots straight away; a signed, tagged session note and a worksheet
the client has submitted, waiting in the counselor's review queue. Running it again changes nothing."""

from datetime import time, timedelta

from django.utils import timezone

from core.demo import register_demo_step
from core.localtime import local_date
from counseling.models import (
    AvailabilityRule,
    Format,
    Intake,
    SessionNote,
    SessionType,
    Worksheet,
    WorksheetTemplate,
)
from counseling.services.availability import (
    availability_rule_create,
    counselor_profile_update,
    session_type_create,
)
from counseling.services.intakes import intake_set_status, intake_submit
from counseling.services.notes import session_note_create, session_note_sign
from counseling.services.worksheets import worksheet_assign, worksheet_entry_add, worksheet_submit
from payments.methods import PaymentMethod

SESSION_TYPES = (
    {
        "name": "対面カウンセリング（東京）",
        "format": Format.TOKYO,
        "location": "東京・丸の内 こころの相談室 東京ルーム",
        "duration_minutes": 60,
        "price_jpy": 12000,
        "buffer_minutes": 15,
        "payment_method": PaymentMethod.VENUE,
    },
    {
        "name": "対面カウンセリング（名古屋）",
        "format": Format.NAGOYA,
        "location": "名古屋・栄 こころの相談室 名古屋ルーム",
        "duration_minutes": 60,
        "price_jpy": 12000,
        "buffer_minutes": 15,
        "payment_method": PaymentMethod.TRANSFER,
    },
    {
        "name": "オンラインカウンセリング",
        "format": Format.ONLINE,
        "location": "",
        "duration_minutes": 50,
        "price_jpy": 10000,
        "buffer_minutes": 10,
        # Card or konbini through Stripe when a key is set; bank transfer otherwise.
        "payment_method": PaymentMethod.ONLINE,
    },
)

# (weekday, start, end, format): online on Monday, Wednesday, Friday and Saturday morning,
# Tokyo on Tuesday and Thursday, Nagoya on Saturday afternoon.
WEEKLY_HOURS = (
    *((weekday, time(10), time(18), Format.ONLINE) for weekday in (0, 2, 4)),
    *((weekday, time(10), time(17), Format.TOKYO) for weekday in (1, 3)),
    (5, time(10), time(13), Format.ONLINE),
    (5, time(14), time(18), Format.NAGOYA),
)

DEMO_MEETING_URL = "https://meet.example.com/kokoro-demo"


@register_demo_step(order=10)
def seed_counseling(shared, write) -> None:
    counselor, client = shared["counselor"], shared["client"]

    for fields in SESSION_TYPES:
        if not SessionType.objects.filter(counselor=counselor, name=fields["name"]).exists():
            session_type_create(counselor=counselor, **fields)
    if not AvailabilityRule.objects.filter(counselor=counselor).exists():
        for weekday, start, end, format_ in WEEKLY_HOURS:
            availability_rule_create(
                counselor=counselor, weekday=weekday, start_time=start, end_time=end, format=format_
            )
    counselor_profile_update(counselor=counselor, meeting_url=DEMO_MEETING_URL)

    if not Intake.objects.filter(client=client).exists():
        intake = intake_submit(
            client=client,
            scenes=["scene.romance", "scene.work"],
            self_check={
                "reason.worthlessness": 4,
                "reason.unheard": 3,
                "reason.self_sacrifice": 5,
                "reason.proof_of_love": 4,
                "reason.childhood": 2,
            },
            concern="恋人にも職場でも尽くしているのに報われない気がして、見返りを求めてしまう自分が嫌になります。",
            preferred_format=Format.ONLINE,
            contact="メールでご連絡ください",
            consent=True,
        )
        # Reviewed, not accepted: acceptance would mail the demo client.
        intake_set_status(intake=intake, counselor=counselor, status=Intake.Status.REVIEWED)
    write(f"counseling 3 session types, weekly hours, an intake for {client.email}")
    _seed_note_and_worksheet(counselor, client)
    write("counseling a signed session note, and a submitted worksheet in the review queue")


DEMO_NOTE = {
    "presenting_concern": "恋人にも職場でも尽くしているのに報われず、見返りを求めてしまう自分が嫌になる。",
    "observations": "「私ばかり」という言葉が繰り返された。頑張りを話す時には表情が明るい。",
    "interventions": "見返りを求める気持ちの奥にある「認められたい」思いを一緒に言葉にした。",
    "homework": "寝る前に「今日できたこと」を3つ書く（1週間）。",
    "plan": "ステップ1の定着を確認してから、ステップ4の断る練習へ。",
}
DEMO_TAGS = ["scene.romance", "scene.work", "reason.self_sacrifice", "pain.self_loathing", "step.1"]
DEMO_DONE_TODAY = (
    ["朝ごはんを作った", "会議の資料を期限までに出した", "同僚にお礼を言えた"],
    ["部屋の掃除をした", "疲れたので早めに休んだ", "友人の誘いを一度断れた"],
)


def _seed_note_and_worksheet(counselor, client) -> None:
    today = local_date(timezone.now())
    if not SessionNote.objects.filter(counselor=counselor, client=client).exists():
        note = session_note_create(
            counselor=counselor, client=client, date=today - timedelta(days=7), tags=DEMO_TAGS, **DEMO_NOTE
        )
        session_note_sign(note=note, counselor=counselor)
    if not Worksheet.objects.filter(counselor=counselor, client=client).exists():
        worksheet = worksheet_assign(
            counselor=counselor,
            client=client,
            template=WorksheetTemplate.objects.get(code="step1.done_today"),
            due_date=today + timedelta(days=7),
            message="どんな小さなことでも大丈夫です。寝る前に3つ書いてみてください。",
            notify=False,  # demo addresses get no mail
        )
        for days_ago, items in zip((1, 0), DEMO_DONE_TODAY, strict=True):
            worksheet_entry_add(
                worksheet=worksheet,
                user=client,
                date=today - timedelta(days=days_ago),
                answers={"items": items},
            )
        worksheet_submit(worksheet=worksheet, user=client, notify=False)
