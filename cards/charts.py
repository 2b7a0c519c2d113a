"""Teams' chart elements, each with the element a host without charts shows instead.

Teams renders Chart.VerticalBar, Chart.HorizontalBar, Chart.Line and Chart.Donut in Adaptive
Cards of version 1.5 (learn.microsoft.com: "Charts in Adaptive Cards"); other hosts, and the
Adaptive Cards SDK, do not know them and show the element's `fallback`. Every chart built here
carries one (the same figures as text), so no host loses a figure.

A chart draws only the points it is given: a figure that must stay hidden is left out by the
caller, never drawn as zero. Without any point there is nothing to draw, and the fallback is
used on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.base import Element

# One colour for every bar: a bar's meaning is its label, not its colour.
BAR_COLOR = "categoricalBlue"
LINE_COLOR = "categoricalBlue"
# Beside a line in LINE_COLOR, one that is there to compare with.
COMPARED_COLOR = "neutral"


@dataclass(frozen=True)
class Point:
    """One drawn figure: its label (x axis, or the legend of a slice) and its value."""

    label: str
    value: float


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its legend and its points, in order along the x axis; its
    colour, or the chart's own choice."""

    legend: str
    points: tuple[Point, ...]
    color: str | None = None


def _number(value: float) -> float | int:
    """A whole number as an int (JSON `12`, not `12.0`)."""
    return int(value) if float(value).is_integer() else value


def _chart(kind: str, data: list[dict], fallback: Element, **extra: object) -> Element:
    """A chart element of `kind`; its fallback last, so the JSON reads chart first."""
    chart: Element = {"type": kind}
    chart.update({key: value for key, value in extra.items() if value is not None})
    chart["data"] = data
    chart["fallback"] = fallback
    return chart


def vertical_bar(
    points: Sequence[Point], fallback: Element, *, title: str | None = None
) -> Element:
    """Bars standing on the x axis, one per point (few points with short labels)."""
    return _bars("Chart.VerticalBar", points, fallback, title, showBarValues=True)


def horizontal_bar(
    points: Sequence[Point], fallback: Element, *, title: str | None = None
) -> Element:
    """Bars lying along the y axis, one per point, values at their ends (long labels)."""
    return _bars("Chart.HorizontalBar", points, fallback, title, displayMode="AbsoluteWithAxis")


def _bars(
    kind: str, points: Sequence[Point], fallback: Element, title: str | None, **extra: object
) -> Element:
    """A bar chart of `kind`, one bar per point; the fallback alone when there is none."""
    if not points:
        return fallback
    data = [{"x": p.label, "y": _number(p.value)} for p in points]
    return _chart(kind, data, fallback, title=title, color=BAR_COLOR, **extra)


def line(series: Sequence[Series], fallback: Element, *, title: str | None = None) -> Element:
    """One or more lines over the same x axis; a series without points is left out."""
    drawn = [s for s in series if s.points]
    if not drawn:
        return fallback
    data = [
        {
            "legend": s.legend,
            "values": [{"x": p.label, "y": _number(p.value)} for p in s.points],
            **({"color": s.color} if s.color else {}),
        }
        for s in drawn
    ]
    color = LINE_COLOR if len(drawn) == 1 else None
    return _chart("Chart.Line", data, fallback, title=title, color=color)


def donut(
    points: Sequence[Point],
    fallback: Element,
    *,
    colors: Sequence[str] = (),
    title: str | None = None,
) -> Element:
    """Parts of a whole, one slice per point; `colors` in the order of the points."""
    if not points:
        return fallback
    data: list[dict] = []
    for index, point in enumerate(points):
        slice_: dict = {"legend": point.label, "value": _number(point.value)}
        if index < len(colors):
            slice_["color"] = colors[index]
        data.append(slice_)
    return _chart("Chart.Donut", data, fallback, title=title)
