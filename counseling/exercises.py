"""The nine exercises of the five steps, written once.

The workbook PDF, the worksheet templates (brought in line by a data migration) and the email course
all take an exercise's number, title, instructions and field titles from here, so the three never
say different things. Field keys are stable: worksheets already filled in store their answers under
them, so a change of wording here never changes a key or which fields are required.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    title: str
    kind: str = "text"  # text | list | minutes | relationships
    max_length: int = 1000
    item_title: str = ""
    min_items: int = 1
    max_items: int = 10


@dataclass(frozen=True)
class Exercise:
    code: str  # the worksheet template's code
    step: str  # the step pattern's code
    number: str  # as printed in the workbook: "1-1", "2", …
    title: str
    instructions: str
    fields: tuple[Field, ...]
    one_entry_per_day: bool = False
    # The workbook prints a date column before the fields for logs kept day by day.
    dated: bool = False

    @property
    def heading(self) -> str:
        """ "ワーク1-1　今日できたこと": how the workbook and the lessons name the exercise."""
        return f"ワーク{self.number}　{self.title}"

    @property
    def anchor(self) -> str:
        """The id of the exercise's section on the workbook page."""
        return f"work-{self.number}"

    def sheet_columns(self) -> list[str]:
        """The column headings of the exercise's table in the workbook."""
        columns = ["日付"] if self.dated else []
        for field in self.fields:
            if field.kind == "list" and field.min_items == field.max_items:
                columns += [f"{field.item_title} {n}" for n in range(1, field.max_items + 1)]
            elif field.kind == "relationships":
                columns += [
                    f"{sub.title}（1〜5）" if sub.kind == "scale" else sub.title
                    for sub in RELATIONSHIP_FIELDS
                ]
            else:
                columns.append(field.title)
        return columns

    def answer_schema(self) -> dict:
        """The JSON Schema (draft 2020-12) one entry's answers must meet."""
        properties = {field.key: _field_schema(field) for field in self.fields}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }


RELATIONSHIP_FIELDS = (
    Field("person", "相手", max_length=200),
    Field("give", "自分が与えている度合い", kind="scale"),
    Field("receive", "自分が受け取っている度合い", kind="scale"),
)
SCALE_DESCRIPTION = "1（少ない）〜5（多い）"


def _text(title: str, max_length: int) -> dict:
    # Required writing: not empty, not only blanks.
    return {"type": "string", "title": title, "minLength": 1, "maxLength": max_length, "pattern": r"\S"}


def _field_schema(field: Field) -> dict:
    if field.kind == "text":
        return _text(field.title, field.max_length)
    if field.kind == "list":
        return {
            "type": "array",
            "title": field.title,
            "items": _text(field.item_title, 300),
            "minItems": field.min_items,
            "maxItems": field.max_items,
        }
    if field.kind == "minutes":
        return {"type": "integer", "title": field.title, "minimum": 1, "maximum": 1440}
    if field.kind == "scale":
        return {
            "type": "integer",
            "title": field.title,
            "description": SCALE_DESCRIPTION,
            "minimum": 1,
            "maximum": 5,
        }
    if field.kind == "relationships":
        return {
            "type": "array",
            "title": field.title,
            "minItems": 1,
            "maxItems": 20,
            "items": {
                "type": "object",
                "title": field.title,
                "properties": {sub.key: _field_schema(sub) for sub in RELATIONSHIP_FIELDS},
                "required": [sub.key for sub in RELATIONSHIP_FIELDS],
                "additionalProperties": False,
            },
        }
    raise ValueError(f"unknown field kind {field.kind!r}")


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        code="step1.done_today",
        step="step.1",
        number="1-1",
        title="今日できたこと",
        instructions=(
            "一日の終わりに、今日やれたことを三つ書きます。洗濯をした、返事を一通書いた、"
            "誰かに笑いかけた。小さすぎると思うことほど歓迎です。書いたら「ちゃんとやれているね」と"
            "自分に声をかけてください。"
        ),
        fields=(
            Field(
                "items",
                "今日できたこと（3つ）",
                kind="list",
                item_title="できたこと",
                min_items=3,
                max_items=3,
            ),
        ),
        one_entry_per_day=True,
        dated=True,
    ),
    Exercise(
        code="step1.good_points",
        step="step.1",
        number="1-2",
        title="自分の良いところ",
        instructions=(
            "欠点探しはいったんお休みにして、自分の好きなところ、得意なこと、"
            "続けてがんばっていることを書き出します。思いついたときに書き足していきましょう。"
        ),
        fields=(Field("points", "自分の良いところ", kind="list", item_title="良いところ"),),
    ),
    Exercise(
        code="step2.self_forgiveness",
        step="step.2",
        number="2",
        title="見返りを求めた自分を許すふりかえり",
        instructions=(
            "見返りがほしくなった場面をひとつ思い出し、そのときの気持ちを良い悪いで裁かずに書きます。"
            "最後に、あのときの自分へ、友だちにかけるようなやさしい言葉を添えてください。"
        ),
        fields=(
            Field("situation", "見返りを求めてしまった場面"),
            Field("feeling", "その時の気持ち（本当はどうしてほしかったか）"),
            Field("words_to_myself", "過去の自分にかける言葉"),
        ),
    ),
    Exercise(
        code="step3.cherished_people",
        step="step.3",
        number="3",
        title="誰を大切に思ってきたか",
        instructions=(
            "これまで力になりたいと願ってきた人を一人選び、その人に届けたかった気持ちを書きます。"
            "そして、それほど人を思える自分に伝えたいことを、ひとこと添えましょう。"
        ),
        fields=(
            Field("person", "大切に思ってきた人", max_length=200),
            Field("love_i_wanted_to_give", "届けたかった気持ち・してあげたかったこと"),
            Field("acknowledgement", "その愛情を持つ自分に伝えたいこと"),
        ),
    ),
    Exercise(
        code="step4.small_choices",
        step="step.4",
        number="4-1",
        title="小さな選択の記録",
        instructions=(
            "お昼に何を食べるか、どの道を通るか。毎日の小さな場面で、相手の顔色より先に"
            "自分の「こっちがいい」を選べたときのことを書き留めます。"
        ),
        fields=(
            Field("situation", "選ぶ場面"),
            Field("my_choice", "自分の気持ちで選んだこと"),
            Field("how_i_felt", "選んでみてどう感じたか"),
        ),
        dated=True,
    ),
    Exercise(
        code="step4.saying_no",
        step="step.4",
        number="4-2",
        title="断る練習",
        instructions=(
            "気の進まない頼みごとやお誘いに、やわらかく「今回は見送ります」と伝えてみた記録です。"
            "言えなかった日も、言えなかったこととして書いておけば十分です。"
        ),
        fields=(
            Field("situation", "どんな場面だったか"),
            Field("what_i_said", "実際に言ったこと"),
            Field("how_i_felt", "どう感じたか"),
        ),
    ),
    Exercise(
        code="step4.time_for_myself",
        step="step.4",
        number="4-3",
        title="自分のための時間",
        instructions=(
            "好きなことをしたり、ほっと力を抜いたりする時間を、数分でも持てた日に記録します。"
            "何をして、何分くらいで、どんな気分になったかを書きましょう。"
        ),
        fields=(
            Field("activity", "したこと", max_length=300),
            Field("minutes", "時間（分）", kind="minutes"),
            Field("how_i_felt", "どう感じたか"),
        ),
        dated=True,
    ),
    Exercise(
        code="step5.gratitude",
        step="step.5",
        number="5-1",
        title="感謝を伝える・受け取る",
        instructions=(
            "その日に誰かへ伝えた「ありがとう」と、誰かからもらった「ありがとう」を書きます。"
            "もらった感謝は「いえいえ」で押し返さず、そのまま受け取ってみてください。"
        ),
        fields=(
            Field("given", "伝えた感謝", kind="list", item_title="伝えた感謝"),
            Field("received", "受け取った感謝", kind="list", item_title="受け取った感謝"),
        ),
        one_entry_per_day=True,
        dated=True,
    ),
    Exercise(
        code="step5.relationship_balance",
        step="step.5",
        number="5-2",
        title="関係のバランスチェック",
        instructions=(
            "身近な人を何人か挙げ、それぞれの関係で自分が差し出している量と受け取っている量に"
            "1〜5の点をつけます。片方に大きく傾いている関係がないか、眺めてみましょう。"
        ),
        fields=(Field("relationships", "関係", kind="relationships"),),
    ),
)

EXERCISES_BY_CODE = {exercise.code: exercise for exercise in EXERCISES}


def exercise_get(code: str) -> Exercise:
    return EXERCISES_BY_CODE[code]


def exercises_for_step(step: str) -> list[Exercise]:
    return [exercise for exercise in EXERCISES if exercise.step == step]


def worksheet_template_fields(exercise: Exercise) -> dict:
    """What a worksheet template holds of the exercise (its code and step are its identity)."""
    return {
        "title": exercise.title,
        "instructions": exercise.instructions,
        "answer_schema": exercise.answer_schema(),
        "one_entry_per_day": exercise.one_entry_per_day,
    }


@dataclass(frozen=True)
class StepIntro:
    number: int
    title: str
    intro: str


# The five steps as the workbook opens each of them.
STEP_INTROS: dict[str, StepIntro] = {
    "step.1": StepIntro(
        1,
        "自分の価値を「内側」で認める",
        "人からの評価を待つ前に、自分で自分に「よくやっているね」と言えるようになるための練習です。",
    ),
    "step.2": StepIntro(
        2,
        "「見返りを求めていた自分」を許し、理解する",
        "見返りがほしかった自分を責める代わりに、そうなるだけの事情があったと認めてあげる練習です。",
    ),
    "step.3": StepIntro(
        3,
        "過去の「与えたかった愛」に気づき、受け入れる",
        "見返りを求める気持ちの下に、誰かを大事に思ってきた自分がいることを確かめる練習です。",
    ),
    "step.4": StepIntro(
        4,
        "「自分がしたいこと」を大切にする",
        "我慢を少しずつ減らし、自分の「したい」「心地よい」を先に選んでみる練習です。",
    ),
    "step.5": StepIntro(
        5,
        "健全な「ギブアンドテイク」を意識する",
        "「してあげたのだから」を手放しながら、与えることと受け取ることの釣り合いを見直す練習です。",
    ),
}
