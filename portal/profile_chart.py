"""The pattern profile drawn on the server: for each kind (scenes, reasons, pains, steps), each
pattern tagged in the last months as a small SVG bar chart, one bar a month. No script, no library."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext

from counseling.models import Pattern
from counseling.selectors.patterns import pattern_list
from counseling.selectors.profiles import PatternProfile
from portal.forms import pattern_label

MONTHS_SHOWN = 6
# The SVG's own coordinates; it scales to the width of the page.
BAR_WIDTH, GAP, CHART_HEIGHT, LABEL_SPACE = 40, 8, 48, 18


@dataclass
class Bar:
    month: str
    label: str
    count: int
    x: int
    center: int
    y: int
    height: int
    text_y: int


@dataclass
class PatternRow:
    pattern: Pattern
    label: str
    total: int
    bars: list[Bar]

    @property
    def description(self) -> str:
        return gettext("、").join(f"{bar.label} {bar.count}" for bar in self.bars)


@dataclass
class KindChart:
    kind: str
    label: str
    rows: list[PatternRow] = field(default_factory=list)


def _last_months(today: date, count: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def profile_chart(profile: PatternProfile, *, today: date) -> dict:
    months = _last_months(today, MONTHS_SHOWN)
    keys = [f"{month:%Y-%m}" for month in months]
    counts = {row["month"]: row["counts"] for row in profile.months}
    shown_codes = {code for key in keys for code in counts.get(key, {})}
    peak = max((counts.get(key, {}).get(code, 0) for key in keys for code in shown_codes), default=0) or 1
    charts = {kind: KindChart(kind=kind, label=label) for kind, label in Pattern.Kind.choices}
    for pattern in pattern_list().order_by("position"):
        if pattern.code not in shown_codes:
            continue
        bars = []
        for index, (month, key) in enumerate(zip(months, keys, strict=True)):
            count = counts.get(key, {}).get(pattern.code, 0)
            height = round(CHART_HEIGHT * count / peak)
            bars.append(
                Bar(
                    month=key,
                    label=dateformat.format(month, gettext("n月")),
                    count=count,
                    x=index * (BAR_WIDTH + GAP),
                    center=index * (BAR_WIDTH + GAP) + BAR_WIDTH // 2,
                    y=LABEL_SPACE + CHART_HEIGHT - height,
                    height=height,
                    text_y=LABEL_SPACE + CHART_HEIGHT - height - 4,
                )
            )
        charts[pattern.kind].rows.append(
            PatternRow(
                pattern=pattern,
                label=pattern_label(pattern),
                total=sum(bar.count for bar in bars),
                bars=bars,
            )
        )
    suggested = {step.pk for step in profile.suggested_steps}
    return {
        "kinds": list(charts.values()),
        "months": keys,
        "first_month": months[0],
        "width": MONTHS_SHOWN * (BAR_WIDTH + GAP) - GAP,
        "height": LABEL_SPACE * 2 + CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "label_y": LABEL_SPACE * 2 + CHART_HEIGHT - 4,
        "baseline_y": LABEL_SPACE + CHART_HEIGHT,
        "steps": [
            {
                **row,
                "label": pattern_label(row["step"]),
                "suggested": row["step"].pk in suggested,
                "done_percent": round(100 * row["submitted"] / row["assigned"]) if row["assigned"] else 0,
            }
            for row in profile.steps
        ],
    }
