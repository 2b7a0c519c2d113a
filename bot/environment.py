"""Settings read from the environment and an optional `.env` file, the way pydantic-settings did.

The service used pydantic-settings for this; in `exitbot serve` it cost ~1 MB resident and
~10 ms of CPU at every start (25 modules, python-dotenv among them, beyond what the service
loads anyway) for the small part the settings use, which is all this base class does:

- sources, highest first: the keyword arguments, the environment, the `.env` file, the defaults;
- a variable names a field by its alias, or by the field's name when `populate_by_name` is on,
  in any case (pydantic-settings' `case_sensitive=False`); the alias wins over the name;
- values are passed to pydantic as the strings they are (no field here is a list or dict,
  which pydantic-settings would decode as JSON: such a field is refused when it is declared);
- `_env_file=None` reads no file, a path reads that file, and by default `model_config`'s
  `env_file` (relative to the working directory) is read if it is there, with python-dotenv.

An error's location is the key its value came in under: the variable's alias (or the field's
name when that is what was set), so pydantic's report names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence, Set
from dataclasses import is_dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

EnvFile = str | os.PathLike[str]
# `_env_file` not given: the class's own `model_config["env_file"]`.
_FROM_CONFIG: Any = object()
# What pydantic-settings would decode as JSON before validation; refused here instead.
_COMPLEX = (BaseModel, Mapping, Sequence, Set)


class EnvironmentConfigDict(ConfigDict, total=False):
    """pydantic's model config, and which `.env` file to read (pydantic-settings' names)."""

    env_file: EnvFile | None
    env_file_encoding: str | None


class EnvironmentSettings(BaseModel):
    """A model whose fields come from keyword arguments, the environment and a `.env` file."""

    # pydantic-settings' defaults that change what pydantic does.
    model_config = EnvironmentConfigDict(
        extra="forbid", arbitrary_types_allowed=True, validate_default=True, env_file=None
    )

    def __init__(self, /, _env_file: EnvFile | None = _FROM_CONFIG, **values: Any) -> None:
        config = type(self).model_config
        env_file = config.get("env_file") if _env_file is _FROM_CONFIG else _env_file
        file = _read_env_file(env_file, config.get("env_file_encoding") or "utf-8")
        super().__init__(**_gathered(type(self), values, dict(os.environ), file))

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, field in cls.model_fields.items():
            if not isinstance(field.validation_alias or "", str):
                raise TypeError(f"{cls.__name__}.{name}: only a plain string alias is read")
            if _is_complex(field.annotation):
                raise TypeError(f"{cls.__name__}.{name}: a list, dict or model is not read")


def _gathered(
    cls: type[BaseModel],
    values: dict[str, Any],
    environ: Mapping[str, str | None],
    file: Mapping[str, str | None],
) -> dict[str, Any]:
    """What pydantic validates: the file's, then the environment's, then the keyword arguments."""
    state = _from_variables(cls, file)
    state.update(_from_variables(cls, environ))
    state.update(_from_keywords(cls, values))
    _restore_keyword_names(cls, values, state)
    return state


def _names(cls: type[BaseModel], name: str, field: FieldInfo) -> list[str]:
    """The keys a field is read from, its alias first, then its name if pydantic takes that."""
    alias = field.validation_alias
    names = [alias] if isinstance(alias, str) else []
    by_name = cls.model_config.get("validate_by_name") or cls.model_config.get("populate_by_name")
    if not names or (by_name and name not in names):
        names.append(name)
    return names


def _from_variables(cls: type[BaseModel], variables: Mapping[str, str | None]) -> dict[str, Any]:
    """Each field's value under the first of its keys that is set, matched in any case."""
    lowered = {key.lower(): value for key, value in variables.items()}
    found: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        for key in _names(cls, name, field):
            value = lowered.get(key.lower())
            if value is not None:
                found[key] = value
                break
    return found


def _from_keywords(cls: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments, each under its field's preferred key (matched in any case)."""
    unmatched = dict(values)
    found: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        keys = _names(cls, name, field)
        wanted = [key.lower() for key in keys]
        matched = sorted(
            (given for given in unmatched if given.lower() in wanted),
            key=lambda given: wanted.index(given.lower()),
        )
        if matched:
            found[keys[0]] = unmatched[matched[0]]
            for given in matched:
                del unmatched[given]
    return found | unmatched


def _restore_keyword_names(
    cls: type[BaseModel], values: dict[str, Any], state: dict[str, Any]
) -> None:
    """A value given as `name=` or `ALIAS=` is validated under that key, as pydantic-settings does.

    Any other key for the same field (the environment's) is dropped: the keyword wins.
    """
    for name, field in cls.model_fields.items():
        keys = _names(cls, name, field)
        given = [key for key in keys if key in values]
        present = [key for key in keys if key in state]
        if given and present:
            value = state[present[0]]
            for key in present:
                del state[key]
            state[given[0]] = value


def _read_env_file(env_file: EnvFile | None, encoding: str) -> dict[str, str | None]:
    """The variables of the `.env` file, if there is one (python-dotenv only then)."""
    if env_file is None:
        return {}
    path = Path(env_file).expanduser()
    if not (path.is_file() or path.is_fifo()):
        return {}
    from dotenv import dotenv_values

    return dotenv_values(path, encoding=encoding)


def _is_complex(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, UnionType, Annotated):
        return any(_is_complex(arg) for arg in get_args(annotation))
    kind = origin or annotation
    if not isinstance(kind, type) or issubclass(kind, str | bytes):
        return False
    return issubclass(kind, _COMPLEX) or is_dataclass(kind)
