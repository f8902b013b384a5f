"""The article's patterns (DESIGN section 3): codes are stable, labels may be corrected by later migrations."""

from django.db import migrations

PATTERNS = [
    # code, kind, label_ja, label_en, parent code
    ("scene.romance", "scene", "恋愛・パートナーシップ", "romance / partnership", None),
    ("scene.friends", "scene", "友人関係", "friendship", None),
    ("scene.family", "scene", "家族関係", "family", None),
    ("scene.work", "scene", "職場", "workplace", None),
    ("reason.worthlessness", "reason", "強い「無価値感」や「罪悪感」を抱えている", "strong worthlessness or guilt", None),
    (
        "reason.unheard",
        "reason",
        "「私の気持ちは誰にも届かない」と感じている（学習性無力感）",
        '"my feelings reach no one" (learned helplessness)',
        None,
    ),
    ("reason.self_sacrifice", "reason", "「自己犠牲」の代償を求めている", "seeking compensation for self-sacrifice", None),
    (
        "reason.proof_of_love",
        "reason",
        "「愛されている証拠」「認められている証拠」が欲しい",
        "wanting proof of being loved / recognised",
        None,
    ),
    ("reason.childhood", "reason", "子どもの頃の経験が影響している", "childhood experience", None),
    (
        "reason.childhood.praised_when_good",
        "reason",
        "「いい子」でいる時だけ褒められた",
        'praised only when "good"',
        "reason.childhood",
    ),
    (
        "reason.childhood.feelings_denied",
        "reason",
        "ありのままの感情表現を否定された",
        "emotional expression denied",
        "reason.childhood",
    ),
    (
        "reason.childhood.parents_expectations",
        "reason",
        "親の期待に応えようと必死だった",
        "striving to meet parents' expectations",
        "reason.childhood",
    ),
    (
        "reason.childhood.scolded_for_kindness",
        "reason",
        "家族のために良かれと思ってしたことで叱られた",
        "scolded for well-meant acts",
        "reason.childhood",
    ),
    (
        "reason.childhood.helpless_for_family",
        "reason",
        "親や家族を心配しても、何もできなかった無力感を感じた",
        "helplessness when worrying about family",
        "reason.childhood",
    ),
    ("pain.betrayed", "pain", "期待が裏切られて傷つく", "hurt when expectations are betrayed", None),
    ("pain.strain", "pain", "人間関係が悪化する", "relationships deteriorate", None),
    ("pain.emptiness", "pain", "常に心が満たされない", "never feeling fulfilled", None),
    ("pain.self_loathing", "pain", "自己嫌悪に陥る", "falling into self-loathing", None),
    ("step.1", "step", "自分の価値を「内側」で認める", "acknowledge your worth from inside", None),
    (
        "step.2",
        "step",
        "「見返りを求めていた自分」を許し、理解する",
        "forgive and understand the self that sought returns",
        None,
    ),
    (
        "step.3",
        "step",
        "過去の「与えたかった愛」に気づき、受け入れる",
        "notice and accept the love you wanted to give",
        None,
    ),
    ("step.4", "step", "「自分がしたいこと」を大切にする", "value what you yourself want", None),
    ("step.5", "step", "健全な「ギブアンドテイク」を意識する", "practise healthy give-and-take", None),
]

SUGGESTED_STEPS = {
    "reason.worthlessness": ["step.1"],
    "reason.unheard": ["step.2", "step.3"],
    "reason.self_sacrifice": ["step.4"],
    "reason.proof_of_love": ["step.1", "step.5"],
    "reason.childhood": ["step.2", "step.3"],
}


def load_patterns(apps, schema_editor):
    Pattern = apps.get_model("counseling", "Pattern")
    by_code = {}
    for position, (code, kind, label_ja, label_en, parent_code) in enumerate(PATTERNS, start=1):
        by_code[code], _created = Pattern.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "label_ja": label_ja,
                "label_en": label_en,
                "parent": by_code.get(parent_code),
                "position": position,
            },
        )
    for reason, steps in SUGGESTED_STEPS.items():
        by_code[reason].suggested_steps.set([by_code[step] for step in steps])


class Migration(migrations.Migration):
    dependencies = [("counseling", "0001_initial")]

    # Going back leaves the patterns: intakes and notes refer to them, and going forward again updates them.
    operations = [migrations.RunPython(load_patterns, migrations.RunPython.noop)]
