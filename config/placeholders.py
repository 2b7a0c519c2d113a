"""The `{placeholders}` in a text: which names it uses, and whether it is well formed."""

from __future__ import annotations

from string import Formatter


def placeholders(text: str) -> frozenset[str]:
    """The names a text fills in; raises ValueError on a malformed or unsafe placeholder."""
    names: set[str] = set()
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(
            f"malformed placeholder ({exc}); write {{name}}, or {{{{ for a brace"
        ) from None
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        # Only plain names: `{a.b}` or `{a[0]}` would let a text reach into the objects passed.
        if not field.isidentifier():
            raise ValueError(
                f"placeholder {{{field}}} is not a plain name; write e.g. {{name}} or {{minutes}}"
            )
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} may not carry a format; write {{{field}}}")
        names.add(field)
    return frozenset(names)


def show(names: frozenset[str] | set[str]) -> str:
    """Names as they are written in a text, for messages: `{a}, {b}` or `none`."""
    return ", ".join(f"{{{name}}}" for name in sorted(names)) or "none"
