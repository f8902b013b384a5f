import pytest

from counseling.models import Pattern

pytestmark = pytest.mark.django_db

PATTERNS = "/api/v1/patterns/"


def test_the_migration_loads_every_pattern_of_the_article_with_both_labels():
    kinds = {kind: Pattern.objects.filter(kind=kind).count() for kind in Pattern.Kind.values}

    # 4 scenes; 5 reasons plus the 5 childhood sub-patterns; 4 pains; 5 steps.
    assert kinds == {"scene": 4, "reason": 10, "pain": 4, "step": 5}
    unheard = Pattern.objects.get(code="reason.unheard")
    assert unheard.label_ja == "「私の気持ちは誰にも届かない」と感じている（学習性無力感）"
    assert unheard.label_en == '"my feelings reach no one" (learned helplessness)'
    assert Pattern.objects.get(code="step.5").label_ja == "健全な「ギブアンドテイク」を意識する"
    assert list(
        Pattern.objects.get(code="reason.childhood")
        .children.order_by("position")
        .values_list("label_ja", flat=True)
    ) == [
        "「いい子」でいる時だけ褒められた",
        "ありのままの感情表現を否定された",
        "親の期待に応えようと必死だった",
        "家族のために良かれと思ってしたことで叱られた",
        "親や家族を心配しても、何もできなかった無力感を感じた",
    ]


def test_each_reason_suggests_the_steps_of_the_design():
    suggested = {
        reason.code: sorted(step.code for step in reason.suggested_steps.all())
        for reason in Pattern.objects.filter(kind="reason", parent__isnull=True)
    }

    assert suggested == {
        "reason.worthlessness": ["step.1"],
        "reason.unheard": ["step.2", "step.3"],
        "reason.self_sacrifice": ["step.4"],
        "reason.proof_of_love": ["step.1", "step.5"],
        "reason.childhood": ["step.2", "step.3"],
    }


def test_the_counselor_reads_the_patterns_grouped_by_kind_in_the_articles_order(counselor_api):
    response = counselor_api.get(PATTERNS)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["scene", "reason", "pain", "step"]
    assert [p["code"] for p in body["scene"]] == [
        "scene.romance",
        "scene.friends",
        "scene.family",
        "scene.work",
    ]
    assert [p["code"] for p in body["reason"]] == [
        "reason.worthlessness",
        "reason.unheard",
        "reason.self_sacrifice",
        "reason.proof_of_love",
        "reason.childhood",
    ]
    childhood = body["reason"][-1]
    assert childhood["children"][0]["code"] == "reason.childhood.praised_when_good"
    assert len(childhood["children"]) == 5
    assert childhood["suggested_steps"] == ["step.2", "step.3"]
    assert body["step"][0] == {
        "code": "step.1",
        "kind": "step",
        "label_ja": "自分の価値を「内側」で認める",
        "label_en": "acknowledge your worth from inside",
        "children": [],
        "suggested_steps": [],
    }


def test_clients_and_anonymous_visitors_cannot_read_the_patterns(client_api, api_client):
    assert client_api.get(PATTERNS).status_code == 403
    assert api_client.get(PATTERNS).status_code == 401
