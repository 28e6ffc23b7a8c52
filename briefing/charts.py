"""Charts drawn at build time as inline SVG: no script, no request, readable in print. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_WIDTH = 14
GAP = 4
HEIGHT = 90
LABEL_SPACE = 18


def timeline_svg(months: Sequence[tuple[str, int]], *, label: str) -> Markup:
    """A bar per month of story counts, with the first and last month named."""
    if not months:
        return Markup("")
    peak = max(count for _, count in months) or 1
    width = len(months) * (BAR_WIDTH + GAP)
    bars = []
    for index, (month, count) in enumerate(months):
        bar = round(count / peak * (HEIGHT - 10))
        x = index * (BAR_WIDTH + GAP)
        bars.append(
            f'<rect x="{x}" y="{HEIGHT - bar}" width="{BAR_WIDTH}" height="{bar}" class="bar">'
            f"<title>{escape(month)}: {count} {'story' if count == 1 else 'stories'}</title></rect>"
        )
    first, last = months[0][0], months[-1][0]
    labels = f'<text x="0" y="{HEIGHT + 14}" class="axis">{escape(first)}</text>' + (
        f'<text x="{width}" y="{HEIGHT + 14}" text-anchor="end" class="axis">{escape(last)}</text>'
        if last != first
        else ""
    )
    return Markup(  # noqa: S704 - every value interpolated is escaped or numeric
        f'<svg class="timeline" role="img" aria-label="{escape(label)}" viewBox="0 0 {max(width, 80)} '
        f'{HEIGHT + LABEL_SPACE}" width="{max(width, 80)}" height="{HEIGHT + LABEL_SPACE}">'
        + "".join(bars)
        + labels
        + "</svg>"
    )


def bar_chart(count: int, peak: int) -> Markup:
    """A horizontal bar for a count, as a share of the largest count (for lists of entities)."""
    share = round(100 * count / peak) if peak else 0
    return Markup(f'<span class="meter" aria-hidden="true"><span style="width:{share}%"></span></span>')  # noqa: S704
