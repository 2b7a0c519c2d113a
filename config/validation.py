"""Validating a parsed file with its model, and telling each mistake at its line and column."""

from __future__ import annotations

import types
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from config.hints import did_you_mean
from config.problems import ConfigProblem
from config.yaml_source import YamlDocument
from journey.locale import SUPPORTED_LANGUAGES

M = TypeVar("M", bound=BaseModel)


def validate_document(doc: YamlDocument, model: type[M]) -> tuple[M | None, list[ConfigProblem]]:
    """The file as a model, or None and every mistake pydantic found in it."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = [_problem(doc, model, error) for error in exc.errors(include_url=False)]
        return None, sorted(set(problems))


def _problem(doc: YamlDocument, model: type[BaseModel], error: ErrorDetails) -> ConfigProblem:
    loc: list[str | int] = list(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    at_key = False
    if loc and loc[-1] == "[key]":
        loc.pop()
        at_key = True
        message = f"bad key: {_plain(error['msg'])}"
    elif kind == "extra_forbidden":
        at_key = True
        message = _unknown_key(model, loc)
    elif kind == "missing":
        message = "required, but missing"
        if _keys_at(model, loc[:-1]) == list(SUPPORTED_LANGUAGES):
            message = (
                f"the {loc[-1]} text is missing; every text needs {', '.join(SUPPORTED_LANGUAGES)}"
            )
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = "should be a mapping of keys to values" + _got(kind, error.get("input"))
    elif kind == "union_tag_invalid":
        loc.append(str(ctx.get("discriminator", "type")).strip("'"))
        message = f"unknown {loc[-1]} {ctx.get('tag')!r}; use one of {ctx.get('expected_tags')}"
    elif kind == "union_tag_not_found":
        loc.append(str(ctx.get("discriminator", "type")).strip("'"))
        message = "required, but missing"
    else:
        message = _plain(error["msg"]) + _got(kind, error.get("input"))
    return doc.problem(loc, message, at_key=at_key)


def _plain(message: str) -> str:
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _got(kind: str, value: Any) -> str:
    if kind.startswith("value_error") or kind == "assertion_error":
        return ""  # our own messages already name the value
    if isinstance(value, bool | int | float | date):
        return f" (got {value})"
    if isinstance(value, str):
        shown = str(value) if len(value) <= 60 else f"{value[:57]}..."
        return f" (got {shown!r})"
    if value is None:
        return " (got nothing)"
    if isinstance(value, dict):
        return " (got a mapping)"
    if isinstance(value, list):
        return " (got a list)"
    return ""


def _unknown_key(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    key = str(loc[-1]) if loc else "?"
    allowed = _keys_at(model, loc[:-1])
    if not allowed:
        return f"unknown key {key!r}"
    return f"unknown key {key!r}" + (
        did_you_mean(key, allowed) or f"; allowed here: {', '.join(allowed)}"
    )


def _keys_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """The keys the model accepts at `loc`, found by walking its type annotations."""
    tp: Any = model
    for step in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = tp.model_fields
            if not (isinstance(step, str) and step in fields):
                return None
            tp = fields[step].annotation
        elif get_origin(tp) is list and isinstance(step, int):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        elif _is_union(tp):
            tp = _tagged_member(tp, step)
            if tp is None:
                return None
        else:
            return None
    tp = _unwrap(tp)
    if _is_union(tp):
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        # A key kept only to refuse it with a better message (`exclude`) is not offered.
        return [name for name, field in tp.model_fields.items() if not field.exclude]
    return None


def _unwrap(tp: Any) -> Any:
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif _is_union(tp):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _tagged_member(tp: Any, tag: str | int) -> Any:
    """The member of a tagged union whose Literal field holds `tag` (pydantic's loc step)."""
    for member in get_args(tp):
        member = _unwrap(member)
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            continue
        for field in member.model_fields.values():
            if get_origin(field.annotation) is Literal and tag in get_args(field.annotation):
                return member
    return None
