"""Brings the worksheet templates' wording in line with the exercises of ``counseling.exercises``
(the workbook PDF and the email course read the same texts).

The texts are copied here as they stood when this migration was written: a migration replays the
same change on every database, whatever ``counseling.exercises`` says later (a later change of
wording gets a migration of its own). Only titles, instructions and the schema's titles change:
field keys and required fields stay, so answers already stored still meet their template's schema.
"""

from django.db import migrations

TEMPLATES = [
    {
        "code": "step1.done_today",
        "step": "step.1",
        "title": "今日できたこと",
        "instructions": "一日の終わりに、今日やれたことを三つ書きます。洗濯をした、返事を一通書いた、誰かに笑いかけた。小さすぎると思うことほど歓迎です。書いたら「ちゃんとやれているね」と自分に声をかけてください。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "title": "今日できたこと（3つ）",
                    "items": {
                        "type": "string",
                        "title": "できたこと",
                        "minLength": 1,
                        "maxLength": 300,
                        "pattern": "\\S",
                    },
                    "minItems": 3,
                    "maxItems": 3,
                }
            },
            "required": ["items"],
            "additionalProperties": False,
        },
        "one_entry_per_day": True,
    },
    {
        "code": "step1.good_points",
        "step": "step.1",
        "title": "自分の良いところ",
        "instructions": "欠点探しはいったんお休みにして、自分の好きなところ、得意なこと、続けてがんばっていることを書き出します。思いついたときに書き足していきましょう。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "points": {
                    "type": "array",
                    "title": "自分の良いところ",
                    "items": {
                        "type": "string",
                        "title": "良いところ",
                        "minLength": 1,
                        "maxLength": 300,
                        "pattern": "\\S",
                    },
                    "minItems": 1,
                    "maxItems": 10,
                }
            },
            "required": ["points"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
    {
        "code": "step2.self_forgiveness",
        "step": "step.2",
        "title": "見返りを求めた自分を許すふりかえり",
        "instructions": "見返りがほしくなった場面をひとつ思い出し、そのときの気持ちを良い悪いで裁かずに書きます。最後に、あのときの自分へ、友だちにかけるようなやさしい言葉を添えてください。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "situation": {
                    "type": "string",
                    "title": "見返りを求めてしまった場面",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "feeling": {
                    "type": "string",
                    "title": "その時の気持ち（本当はどうしてほしかったか）",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "words_to_myself": {
                    "type": "string",
                    "title": "過去の自分にかける言葉",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
            },
            "required": ["situation", "feeling", "words_to_myself"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
    {
        "code": "step3.cherished_people",
        "step": "step.3",
        "title": "誰を大切に思ってきたか",
        "instructions": "これまで力になりたいと願ってきた人を一人選び、その人に届けたかった気持ちを書きます。そして、それほど人を思える自分に伝えたいことを、ひとこと添えましょう。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "person": {
                    "type": "string",
                    "title": "大切に思ってきた人",
                    "minLength": 1,
                    "maxLength": 200,
                    "pattern": "\\S",
                },
                "love_i_wanted_to_give": {
                    "type": "string",
                    "title": "届けたかった気持ち・してあげたかったこと",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "acknowledgement": {
                    "type": "string",
                    "title": "その愛情を持つ自分に伝えたいこと",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
            },
            "required": ["person", "love_i_wanted_to_give", "acknowledgement"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
    {
        "code": "step4.small_choices",
        "step": "step.4",
        "title": "小さな選択の記録",
        "instructions": "お昼に何を食べるか、どの道を通るか。毎日の小さな場面で、相手の顔色より先に自分の「こっちがいい」を選べたときのことを書き留めます。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "situation": {
                    "type": "string",
                    "title": "選ぶ場面",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "my_choice": {
                    "type": "string",
                    "title": "自分の気持ちで選んだこと",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "how_i_felt": {
                    "type": "string",
                    "title": "選んでみてどう感じたか",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
            },
            "required": ["situation", "my_choice", "how_i_felt"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
    {
        "code": "step4.saying_no",
        "step": "step.4",
        "title": "断る練習",
        "instructions": "気の進まない頼みごとやお誘いに、やわらかく「今回は見送ります」と伝えてみた記録です。言えなかった日も、言えなかったこととして書いておけば十分です。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "situation": {
                    "type": "string",
                    "title": "どんな場面だったか",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "what_i_said": {
                    "type": "string",
                    "title": "実際に言ったこと",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
                "how_i_felt": {
                    "type": "string",
                    "title": "どう感じたか",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
            },
            "required": ["situation", "what_i_said", "how_i_felt"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
    {
        "code": "step4.time_for_myself",
        "step": "step.4",
        "title": "自分のための時間",
        "instructions": "好きなことをしたり、ほっと力を抜いたりする時間を、数分でも持てた日に記録します。何をして、何分くらいで、どんな気分になったかを書きましょう。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "activity": {
                    "type": "string",
                    "title": "したこと",
                    "minLength": 1,
                    "maxLength": 300,
                    "pattern": "\\S",
                },
                "minutes": {"type": "integer", "title": "時間（分）", "minimum": 1, "maximum": 1440},
                "how_i_felt": {
                    "type": "string",
                    "title": "どう感じたか",
                    "minLength": 1,
                    "maxLength": 1000,
                    "pattern": "\\S",
                },
            },
            "required": ["activity", "minutes", "how_i_felt"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
    {
        "code": "step5.gratitude",
        "step": "step.5",
        "title": "感謝を伝える・受け取る",
        "instructions": "その日に誰かへ伝えた「ありがとう」と、誰かからもらった「ありがとう」を書きます。もらった感謝は「いえいえ」で押し返さず、そのまま受け取ってみてください。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "given": {
                    "type": "array",
                    "title": "伝えた感謝",
                    "items": {
                        "type": "string",
                        "title": "伝えた感謝",
                        "minLength": 1,
                        "maxLength": 300,
                        "pattern": "\\S",
                    },
                    "minItems": 1,
                    "maxItems": 10,
                },
                "received": {
                    "type": "array",
                    "title": "受け取った感謝",
                    "items": {
                        "type": "string",
                        "title": "受け取った感謝",
                        "minLength": 1,
                        "maxLength": 300,
                        "pattern": "\\S",
                    },
                    "minItems": 1,
                    "maxItems": 10,
                },
            },
            "required": ["given", "received"],
            "additionalProperties": False,
        },
        "one_entry_per_day": True,
    },
    {
        "code": "step5.relationship_balance",
        "step": "step.5",
        "title": "関係のバランスチェック",
        "instructions": "身近な人を何人か挙げ、それぞれの関係で自分が差し出している量と受け取っている量に1〜5の点をつけます。片方に大きく傾いている関係がないか、眺めてみましょう。",
        "answer_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "relationships": {
                    "type": "array",
                    "title": "関係",
                    "minItems": 1,
                    "maxItems": 20,
                    "items": {
                        "type": "object",
                        "title": "関係",
                        "properties": {
                            "person": {
                                "type": "string",
                                "title": "相手",
                                "minLength": 1,
                                "maxLength": 200,
                                "pattern": "\\S",
                            },
                            "give": {
                                "type": "integer",
                                "title": "自分が与えている度合い",
                                "description": "1（少ない）〜5（多い）",
                                "minimum": 1,
                                "maximum": 5,
                            },
                            "receive": {
                                "type": "integer",
                                "title": "自分が受け取っている度合い",
                                "description": "1（少ない）〜5（多い）",
                                "minimum": 1,
                                "maximum": 5,
                            },
                        },
                        "required": ["person", "give", "receive"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["relationships"],
            "additionalProperties": False,
        },
        "one_entry_per_day": False,
    },
]


def templates_from_exercises(apps, schema_editor):
    Pattern = apps.get_model("counseling", "Pattern")
    WorksheetTemplate = apps.get_model("counseling", "WorksheetTemplate")
    steps = {pattern.code: pattern for pattern in Pattern.objects.filter(kind="step")}
    for position, template in enumerate(TEMPLATES, start=1):
        fields = {key: value for key, value in template.items() if key not in ("code", "step")}
        values = {**fields, "step": steps[template["step"]], "position": position}
        WorksheetTemplate.objects.update_or_create(
            code=template["code"], defaults=values, create_defaults={**values, "active": True}
        )


class Migration(migrations.Migration):
    dependencies = [("counseling", "0007_booking_idempotency_request")]

    # Going back keeps the newer wording: it is only wording, and the keys never changed.
    operations = [migrations.RunPython(templates_from_exercises, migrations.RunPython.noop)]
