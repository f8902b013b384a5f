"""Worksheet templates from the practices of the article's five steps (DESIGN section 3).

Each carries a JSON Schema (draft 2020-12) for one entry's answers; every property has a Japanese
``title`` so that forms can be drawn from the schema. Codes are stable; wording may be corrected by
later migrations.
"""

from django.db import migrations


def text(title, *, max_length=1000, description=""):
    """A required piece of writing: not empty, not only blanks."""
    schema = {"type": "string", "title": title, "minLength": 1, "maxLength": max_length, "pattern": r"\S"}
    if description:
        schema["description"] = description
    return schema


def text_list(title, *, item_title, min_items, max_items, description=""):
    schema = {
        "type": "array",
        "title": title,
        "items": text(item_title, max_length=300),
        "minItems": min_items,
        "maxItems": max_items,
    }
    if description:
        schema["description"] = description
    return schema


def scale(title, description):
    return {"type": "integer", "title": title, "description": description, "minimum": 1, "maximum": 5}


def answers(properties):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


TEMPLATES = [
    {
        "code": "step1.done_today",
        "step": "step.1",
        "title": "今日できたこと",
        "one_entry_per_day": True,
        "instructions": (
            "毎日、寝る前などに「今日できたこと」を3つ書き出してみましょう。"
            "「掃除をした」「ご飯を作った」「人に親切にできた」など、どんな些細なことでも大丈夫です。"
            "「私、ちゃんとやってるな」と意識的に認めることが大切です。"
        ),
        "answer_schema": answers(
            {
                "items": text_list(
                    "今日できたこと（3つ）", item_title="できたこと", min_items=3, max_items=3
                ),
            }
        ),
    },
    {
        "code": "step1.good_points",
        "step": "step.1",
        "title": "自分の良いところ",
        "instructions": (
            "短所ばかりでなく、自分の長所や好きなところ、頑張っているところに目を向けて書き出してみましょう。"
        ),
        "answer_schema": answers(
            {
                "points": text_list(
                    "自分の良いところ", item_title="良いところ", min_items=1, max_items=10
                ),
            }
        ),
    },
    {
        "code": "step2.self_forgiveness",
        "step": "step.2",
        "title": "見返りを求めた自分を許すふりかえり",
        "instructions": (
            "見返りを求めてしまった場面を思い出し、その時の気持ちを否定せずに受け止めます。"
            "最後に「そういう時もあったよね」と、過去の自分に優しい言葉をかけてあげてください。"
        ),
        "answer_schema": answers(
            {
                "situation": text("見返りを求めてしまった場面"),
                "feeling": text("その時の気持ち（本当はどうしてほしかったか）"),
                "words_to_myself": text("過去の自分にかける言葉"),
            }
        ),
    },
    {
        "code": "step3.cherished_people",
        "step": "step.3",
        "title": "誰を大切に思ってきたか",
        "instructions": (
            "あなたが一生懸命になれた相手、役に立ちたいと願った相手は誰だったでしょうか。"
            "その時の純粋な気持ちを思い出し、その愛情を持っている自分を認めてあげましょう。"
        ),
        "answer_schema": answers(
            {
                "person": text("大切に思ってきた人", max_length=200),
                "love_i_wanted_to_give": text("届けたかった気持ち・してあげたかったこと"),
                "acknowledgement": text("その愛情を持つ自分に伝えたいこと"),
            }
        ),
    },
    {
        "code": "step4.small_choices",
        "step": "step.4",
        "title": "小さな選択の記録",
        "instructions": (
            "「今日何が食べたい？」「本当はどっちに行きたい？」など、日常の小さな選択で"
            "自分の気持ちを優先できたことを記録しましょう。"
        ),
        "answer_schema": answers(
            {
                "situation": text("選ぶ場面"),
                "my_choice": text("自分の気持ちで選んだこと"),
                "how_i_felt": text("選んでみてどう感じたか"),
            }
        ),
    },
    {
        "code": "step4.saying_no",
        "step": "step.4",
        "title": "断る練習",
        "instructions": (
            "無理な頼まれごとや気乗りしない誘いに、勇気を出して「ごめんなさい、今回は難しいです」と"
            "断ってみた記録です。うまく言えなかった時も、そのまま書いて大丈夫です。"
        ),
        "answer_schema": answers(
            {
                "situation": text("どんな場面だったか"),
                "what_i_said": text("実際に言ったこと"),
                "how_i_felt": text("どう感じたか"),
            }
        ),
    },
    {
        "code": "step4.time_for_myself",
        "step": "step.4",
        "title": "自分のための時間",
        "instructions": "忙しい中でも、少しでも自分の好きなことやリラックスできる時間を持てたら記録しましょう。",
        "answer_schema": answers(
            {
                "activity": text("したこと", max_length=300),
                "minutes": {"type": "integer", "title": "時間（分）", "minimum": 1, "maximum": 1440},
                "how_i_felt": text("どう感じたか"),
            }
        ),
    },
    {
        "code": "step5.gratitude",
        "step": "step.5",
        "title": "感謝を伝える・受け取る",
        "one_entry_per_day": True,
        "instructions": (
            "相手に何かしてもらった時は素直に「ありがとう」と伝え、相手からの感謝も遠慮せずに受け取りましょう。"
            "その日に伝えた感謝と、受け取った感謝を書き留めます。"
        ),
        "answer_schema": answers(
            {
                "given": text_list("伝えた感謝", item_title="伝えた感謝", min_items=1, max_items=10),
                "received": text_list(
                    "受け取った感謝", item_title="受け取った感謝", min_items=1, max_items=10
                ),
            }
        ),
    },
    {
        "code": "step5.relationship_balance",
        "step": "step.5",
        "title": "関係のバランスチェック",
        "instructions": (
            "身近な関係ごとに、自分が与えている度合いと受け取っている度合いを1〜5でつけてみましょう。"
            "いつも自分ばかりが与えている、あるいは求めすぎていると感じる関係がないか見直します。"
        ),
        "answer_schema": answers(
            {
                "relationships": {
                    "type": "array",
                    "title": "関係",
                    "minItems": 1,
                    "maxItems": 20,
                    "items": {
                        "type": "object",
                        "title": "関係",
                        "properties": {
                            "person": text("相手", max_length=200),
                            "give": scale("自分が与えている度合い", "1（少ない）〜5（多い）"),
                            "receive": scale("自分が受け取っている度合い", "1（少ない）〜5（多い）"),
                        },
                        "required": ["person", "give", "receive"],
                        "additionalProperties": False,
                    },
                },
            }
        ),
    },
]


def load_templates(apps, schema_editor):
    Pattern = apps.get_model("counseling", "Pattern")
    WorksheetTemplate = apps.get_model("counseling", "WorksheetTemplate")
    steps = {pattern.code: pattern for pattern in Pattern.objects.filter(kind="step")}
    for position, template in enumerate(TEMPLATES, start=1):
        fields = {key: value for key, value in template.items() if key not in ("code", "step")}
        WorksheetTemplate.objects.update_or_create(
            code=template["code"],
            defaults={**fields, "step": steps[template["step"]], "position": position, "active": True},
        )


class Migration(migrations.Migration):
    dependencies = [("counseling", "0004_access_record_append_only")]

    # Going back leaves the templates: worksheets refer to them, and going forward again updates them.
    operations = [migrations.RunPython(load_templates, migrations.RunPython.noop)]
