"""This project's rules for Teams' chart elements, which the Adaptive Cards SDK does not know.

The properties, their JSON types and allowed values are those documented in "Charts in Adaptive
Cards" (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/
charts-in-adaptive-cards) for Chart.VerticalBar, Chart.HorizontalBar, Chart.Line and
Chart.Donut, and the data objects' properties of Microsoft.Teams.Cards (VerticalBarChartDataValue,
HorizontalBarChartDataValue, LineChartData and LineChartValue, DonutChartData). On top of them,
the project asks for `data` with at least one point and for a `fallback` that is an element of
the Adaptive Cards schema (not "drop", not another chart): a host without charts must still
show the figures. The fallback itself is checked by the SDK (validate_cards.cjs puts it in the
chart's place before parsing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

CHART_PREFIX = "Chart."

COLORS = frozenset(
    {"good", "warning", "attention", "neutral"}
    | {
        f"categorical{name}"
        for name in ("Red", "Purple", "Lavender", "Blue", "LightBlue", "Teal", "Green", "Lime")
    }
    | {"categoricalMarigold"}
    | {f"sequential{n}" for n in range(1, 9)}
    | {
        f"diverging{name}"
        for name in (
            "Blue",
            "LightBlue",
            "Cyan",
            "Teal",
            "Yellow",
            "Peach",
            "LightRed",
            "Red",
            "Maroon",
            "Gray",
        )
    }
)
COLOR_SETS = frozenset({"categorical", "sequential", "diverging"})
SPACINGS = frozenset(
    {"None", "ExtraSmall", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"}
)
TARGET_WIDTHS = frozenset(
    {"VeryNarrow", "Narrow", "Standard", "Wide"}
    | {
        f"{edge}:{width}"
        for edge in ("atLeast", "atMost")
        for width in ("VeryNarrow", "Narrow", "Standard", "Wide")
    }
)

# A property's rule: a readable expectation and the check.
Rule = tuple[str, Callable[[Any], bool]]


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _one_of(allowed: frozenset[str]) -> Rule:
    listing = ", ".join(sorted(allowed)) if len(allowed) <= 8 else f"one of {len(allowed)} names"
    return (f"one of: {listing}", lambda value: value in allowed)


STRING: Rule = ("a string", _string)
NUMBER: Rule = ("a number", _number)
BOOLEAN: Rule = ("a boolean", lambda value: isinstance(value, bool))
OBJECT: Rule = ("an object", lambda value: isinstance(value, dict))
STRING_OR_NUMBER: Rule = ("a string or a number", lambda v: _string(v) or _number(v))
COLOR = _one_of(COLORS)

# Every chart element may carry these (the element properties the page lists for each chart).
COMMON: Mapping[str, Rule] = {
    "type": STRING,
    "id": STRING,
    "title": STRING,
    "colorSet": _one_of(COLOR_SETS),
    "fallback": OBJECT,
    "grid.area": STRING,
    "height": _one_of(frozenset({"auto", "stretch"})),
    "horizontalAlignment": _one_of(frozenset({"Left", "Center", "Right"})),
    "isVisible": BOOLEAN,
    "lang": STRING,
    "requires": OBJECT,
    "separator": BOOLEAN,
    "spacing": _one_of(SPACINGS),
    "targetWidth": _one_of(TARGET_WIDTHS),
}
AXES: Mapping[str, Rule] = {"color": COLOR, "xAxisTitle": STRING, "yAxisTitle": STRING}

# Per chart type: its own properties, and those of one object in its `data`.
CHARTS: Mapping[str, tuple[Mapping[str, Rule], Mapping[str, Rule]]] = {
    "Chart.VerticalBar": (
        {**AXES, "showBarValues": BOOLEAN},
        {"x": STRING_OR_NUMBER, "y": NUMBER, "color": COLOR},
    ),
    "Chart.HorizontalBar": (
        {
            **AXES,
            "displayMode": _one_of(
                frozenset({"AbsoluteWithAxis", "AbsoluteNoAxis", "PartToWhole"})
            ),
        },
        {"x": STRING, "y": NUMBER, "color": COLOR},
    ),
    "Chart.Line": (
        AXES,
        {"legend": STRING, "values": ("an array", lambda v: isinstance(v, list)), "color": COLOR},
    ),
    "Chart.Donut": ({}, {"legend": STRING, "value": NUMBER, "color": COLOR}),
}
REQUIRED_IN_DATA = {
    "Chart.VerticalBar": ("x", "y"),
    "Chart.HorizontalBar": ("x", "y"),
    "Chart.Line": ("values",),
    "Chart.Donut": ("value",),
}
LINE_VALUE: Mapping[str, Rule] = {"x": STRING_OR_NUMBER, "y": NUMBER}


def charts_in(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every chart element anywhere in a card (in fallbacks too), with its JSON path."""
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str) and kind.startswith(CHART_PREFIX):
            yield path, node
        for key, value in node.items():
            # A chart's `data` holds figures, an action's `data` the bot's payload: no elements.
            if key != "data":
                yield from charts_in(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from charts_in(item, f"{path}[{index}]")


def _properties(path: str, kind: str, obj: Any, rules: Mapping[str, Rule]) -> list[str]:
    """Unknown properties and values of the wrong type or outside the allowed ones."""
    if not isinstance(obj, dict):
        return [f"{path} ({kind}): must be an object, got {type(obj).__name__}"]
    errors = []
    for key, value in obj.items():
        rule = rules.get(key)
        if rule is None:
            errors.append(f'{path} ({kind}): unknown property "{key}"')
        elif not rule[1](value):
            errors.append(f'{path} ({kind}): "{key}" must be {rule[0]}, got {value!r}')
    return errors


def _data_errors(path: str, kind: str, data: Any) -> list[str]:
    if not isinstance(data, list) or not data:
        return [f'{path} ({kind}): "data" must be a non-empty array (no chart without a figure)']
    errors: list[str] = []
    point_rules = CHARTS[kind][1]
    for index, point in enumerate(data):
        where = f"{path}.data[{index}]"
        errors += _properties(where, kind, point, point_rules)
        if not isinstance(point, dict):
            continue
        errors += [
            f'{where} ({kind}): missing "{name}"'
            for name in REQUIRED_IN_DATA[kind]
            if name not in point
        ]
        values = point.get("values") if kind == "Chart.Line" else None
        if isinstance(values, list):
            if not values:
                errors.append(f'{where} ({kind}): "values" must not be empty')
            for n, value in enumerate(values):
                errors += _properties(f"{where}.values[{n}]", kind, value, LINE_VALUE)
                if isinstance(value, dict):
                    errors += [
                        f'{where}.values[{n}] ({kind}): missing "{name}"'
                        for name in ("x", "y")
                        if name not in value
                    ]
    return errors


def _fallback_errors(path: str, kind: str, fallback: Any) -> list[str]:
    if fallback is None:
        return [f'{path} ({kind}): missing "fallback" (what a host without charts shows)']
    if not isinstance(fallback, dict):
        return [f'{path} ({kind}): "fallback" must be an element, got {fallback!r}']
    inner = fallback.get("type")
    if not isinstance(inner, str) or inner.startswith(CHART_PREFIX):
        return [f'{path} ({kind}): "fallback" must be an element a host without charts shows']
    return []


def chart_errors(card: Any) -> list[str]:
    """Every chart in the card against the documented properties and this project's rules."""
    errors: list[str] = []
    for path, chart in charts_in(card):
        kind = chart["type"]
        if kind not in CHARTS:
            errors.append(f"{path}: unknown chart type {kind!r} (known: {', '.join(CHARTS)})")
            continue
        own = {key: value for key, value in chart.items() if key != "data"}
        errors += _properties(path, kind, own, {**COMMON, **CHARTS[kind][0]})
        errors += _data_errors(path, kind, chart.get("data"))
        errors += _fallback_errors(path, kind, chart.get("fallback"))
    return errors
