"""Charts drawn at build time as inline SVG: no script, no request, readable in print. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WIDTH = 640  # the chart's own coordinates; it scales to the column it sits in
HEIGHT = 120
BOTTOM = 22  # room for the month labels
TOP = 16  # room for the counts above the bars
MAX_BAR = 36
#: with more months than this, counts above the bars would crowd each other
MAX_LABELLED = 24


def _month(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def timeline_svg(months: Sequence[tuple[str, int]], *, label: str) -> Markup:
    """A bar per month of story counts, the first and last month named, counts above the bars."""
    if not months:
        return Markup("")
    peak = max(count for _, count in months) or 1
    slot = WIDTH / len(months)
    bar = min(MAX_BAR, slot * 0.8)
    plot = HEIGHT - BOTTOM - TOP
    parts = []
    for index, (month, count) in enumerate(months):
        height = round(count / peak * plot, 1)
        x = round(index * slot + (slot - bar) / 2, 1)
        y = HEIGHT - BOTTOM - height
        noun = "story" if count == 1 else "stories"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{round(bar, 1)}" height="{height}" class="bar">'
            f"<title>{escape(_month(month))}: {count} {noun}</title></rect>"
        )
        if count and len(months) <= MAX_LABELLED:
            parts.append(
                f'<text x="{round(x + bar / 2, 1)}" y="{y - 4}" text-anchor="middle" class="count">{count}</text>'
            )
    parts.append(f'<text x="0" y="{HEIGHT - 6}" class="axis">{escape(_month(months[0][0]))}</text>')
    if len(months) > 1:
        parts.append(
            f'<text x="{WIDTH}" y="{HEIGHT - 6}" text-anchor="end" class="axis">{escape(_month(months[-1][0]))}</text>'
        )
    return Markup(  # noqa: S704 - every value interpolated is escaped or numeric
        f'<svg class="timeline" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'preserveAspectRatio="xMinYMin meet">' + "".join(parts) + "</svg>"
    )


def bar_chart(count: int, peak: int) -> Markup:
    """A horizontal bar for a count, as a share of the largest count (for lists of entities)."""
    share = round(100 * count / peak) if peak else 0
    return Markup(f'<span class="meter" aria-hidden="true"><span style="width:{share}%"></span></span>')  # noqa: S704
