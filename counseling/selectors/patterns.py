from django.db.models import Prefetch, QuerySet

from counseling.models import IntakeAnswer, Pattern


def pattern_list() -> QuerySet[Pattern]:
    return Pattern.objects.select_related("parent").prefetch_related(
        Prefetch("suggested_steps", queryset=Pattern.objects.order_by("position"))
    )


def pattern_list_grouped() -> dict[str, list[Pattern]]:
    """The whole table by kind, in the article's order; sub-patterns sit in their parent's ``children``."""
    patterns = list(pattern_list())
    children: dict[int, list[Pattern]] = {}
    for pattern in patterns:
        if pattern.parent_id is not None:
            children.setdefault(pattern.parent_id, []).append(pattern)
    grouped: dict[str, list[Pattern]] = {kind: [] for kind in Pattern.Kind.values}
    for pattern in patterns:
        pattern.child_patterns = children.get(pattern.pk, [])
        if pattern.parent_id is None:
            grouped[pattern.kind].append(pattern)
    return grouped


def self_check_reasons() -> QuerySet[Pattern]:
    """The five statements of the intake's self-check: the top-level reasons."""
    return Pattern.objects.filter(kind=Pattern.Kind.REASON, parent__isnull=True).order_by("position")


# A reason answered at least this strongly is suggested to the counselor.
SUGGESTION_MIN_SCORE = 4


def suggestions_for_answers(answers: list[IntakeAnswer]) -> dict[str, list[Pattern]]:
    """Decision support for the counselor: the reasons answered 4 or 5, strongest first, and the steps
    the practice suggests for them (its own StepSuggestion setting, not the article's teaching).

    ``answers`` must come with ``reason`` and ``reason.suggested_steps`` loaded (see intake selectors).
    """
    strong = sorted(
        (answer for answer in answers if answer.score >= SUGGESTION_MIN_SCORE),
        key=lambda answer: (-answer.score, answer.reason.position),
    )
    steps: dict[int, Pattern] = {}
    for answer in strong:
        for step in answer.reason.suggested_steps.all():
            steps[step.pk] = step
    return {
        "patterns": [answer.reason for answer in strong],
        "steps": sorted(steps.values(), key=lambda step: step.position),
    }
