"""Reads the demo world's data files (``lambdatui_sandbox/data/``) into typed objects.

A file is TOML or JSON. ``Document.build(kind)`` turns its content into ``kind``, guided
by type annotations: a table becomes a dataclass (its keys are the field names; a key
may be left out when the field has a default or allows None), a list becomes a tuple,
a table becomes a ``Mapping`` or a tuple of (key, value) pairs, a string names an enum
member, a duration (``"2h14m"``: days, hours, minutes, seconds) becomes a timedelta,
and a float may be written as a fraction (``"1/60"``). Anything else is a mistake, and
the error names the file and the key: ``world.toml: functions[3].memory: expected an
integer, got 'lots'``. Hooks (keyed by a type, or by a generic type's origin such as
``collections.abc.Callable``) convert the types the data spells its own way.

Two small interpreters serve the traffic stories: ``Draw`` (a value drawn from a random
generator and formatted) and ``Template`` (a JSON shape whose strings are format strings
over an invocation's values).
"""

from __future__ import annotations

import functools
import json
import random
import re
import tomllib
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import timedelta
from enum import Enum
from importlib import resources
from typing import Any, Union, get_args, get_origin, get_type_hints

Hook = Callable[[Any, "At"], Any]

_PACKAGE = "lambdatui_sandbox"

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_FRACTION = re.compile(r"\s*(\d+)\s*/\s*([1-9]\d*)\s*")


class SeedDataError(ValueError):
    """A data file says something the sandbox cannot read; names the file and the key."""

    def __init__(self, at: At, message: str, *, expected: str | None = None) -> None:
        super().__init__(f"{at}: {message}")
        self.at = at
        self.message = message
        self.expected = expected  # set when the value was of the wrong kind altogether


@dataclass(frozen=True)
class At:
    """A place in a data file: the file's name and the path of keys to the value."""

    file: str
    path: str = ""

    def key(self, name: str) -> At:
        return At(self.file, f"{self.path}.{name}" if self.path else name)

    def item(self, index: int) -> At:
        return At(self.file, f"{self.path}[{index}]")

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file


@dataclass(frozen=True)
class Document:
    """One parsed data file."""

    name: str
    data: Any

    def build(self, kind: Any, hooks: Mapping[Any, Hook] | None = None) -> Any:
        return convert(kind, self.data, At(self.name), hooks or {})


def read(name: str, text: str | None = None) -> Document:
    """Parse the packaged data file ``name`` (or ``text`` as if it were that file)."""
    if text is None:
        text = resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")
    try:
        data = json.loads(text) if name.endswith(".json") else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise SeedDataError(At(name), str(error)) from None
    return Document(name, data)


def duration(text: Any, at: At) -> timedelta:
    """``"2h14m"``, ``"610d"``, ``"40m"``: whole days, hours, minutes and seconds."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) and text else None
    if match is None:
        raise SeedDataError(
            at, f"expected a duration such as '2h14m', got {text!r}", expected="a duration"
        )
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def take(table: Mapping[str, Any], key: str, at: At) -> Any:
    """``table[key]``, or an error naming the missing key."""
    if key not in table:
        raise SeedDataError(at, f"missing key {key!r}")
    return table[key]


def convert(kind: Any, value: Any, at: At, hooks: Mapping[Any, Hook]) -> Any:
    """``value`` (as parsed from TOML or JSON) as an object of type ``kind``."""
    origin, args = get_origin(kind), get_args(kind)
    hook = hooks.get(kind) or (hooks.get(origin) if origin is not None else None)
    if hook is not None:
        return hook(value, at)
    if kind is Any:
        return value
    if origin is Union or origin is types.UnionType:
        return _union(args, value, at, hooks)
    if kind is timedelta:
        return duration(value, at)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum(kind, value, at)
    if kind in (str, int, float, bool):
        return _scalar(kind, value, at)
    if origin is tuple:
        return _tuple(args, value, at, hooks)
    if origin is Mapping or origin is dict:
        table = _table(value, at)
        return {key: convert(args[1], item, at.key(key), hooks) for key, item in table.items()}
    if isinstance(kind, type) and is_dataclass(kind):
        return build(kind, value, at, hooks)
    raise SeedDataError(at, f"no way to read a {kind!r} (a hook is missing)")


def build(cls: type, value: Any, at: At, hooks: Mapping[Any, Hook]) -> Any:
    """A dataclass from a table whose keys are its fields."""
    table = _table(value, at)
    hints = _hints(cls)
    params = {f.name: f for f in fields(cls) if f.init}
    for key in table:
        if key not in params:
            known = ", ".join(params)
            raise SeedDataError(at.key(key), f"unknown key (known: {known})")
    kwargs = {}
    for name, param in params.items():
        if name in table:
            kwargs[name] = convert(hints[name], table[name], at.key(name), hooks)
        elif param.default is MISSING and param.default_factory is MISSING:
            if type(None) not in get_args(hints[name]):
                raise SeedDataError(at, f"missing key {name!r}")
            kwargs[name] = None
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise SeedDataError(at, str(error)) from None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _union(members: tuple[Any, ...], value: Any, at: At, hooks: Mapping[Any, Hook]) -> Any:
    expected: list[str] = []
    errors: list[tuple[Any, SeedDataError]] = []
    for member in members:
        if member is type(None):
            continue
        try:
            return convert(member, value, at, hooks)
        except SeedDataError as error:
            if error.expected is not None and error.at == at:
                expected.append(error.expected)
            else:
                errors.append((member, error))
    if len(errors) == 1:
        raise errors[0][1]
    if errors:
        reasons = "; ".join(
            f"as {getattr(m, '__name__', m)}: {e.at.path}: {e.message}" for m, e in errors
        )
        raise SeedDataError(at, f"fits none of its forms ({reasons})")
    kinds = " or ".join(expected)
    raise SeedDataError(at, f"expected {kinds}, got {_kind_of(value)}", expected=kinds)


def _enum(kind: type[Enum], value: Any, at: At) -> Enum:
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(repr(member.value) for member in kind)
        raise SeedDataError(
            at, f"expected one of {names}, got {value!r}", expected=f"one of {names}"
        ) from None


_SCALARS: Mapping[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
}


def _scalar(kind: type, value: Any, at: At) -> Any:
    if kind is float and isinstance(value, str) and (match := _FRACTION.fullmatch(value)):
        return int(match[1]) / int(match[2])
    accepted = (int, float) if kind is float else (kind,)
    if isinstance(value, accepted) and (kind is bool or not isinstance(value, bool)):
        return value
    expected = _SCALARS[kind]
    raise SeedDataError(at, f"expected {expected}, got {_kind_of(value)}", expected=expected)


def _tuple(args: tuple[Any, ...], value: Any, at: At, hooks: Mapping[Any, Hook]) -> tuple[Any, ...]:
    repeated = len(args) == 2 and args[1] is Ellipsis
    if repeated and isinstance(value, dict) and get_origin(args[0]) is tuple:
        # A table written for a tuple of pairs: ``{ key = "value" }``, in order.
        value = [[key, item] for key, item in value.items()]
    if not isinstance(value, list):
        raise SeedDataError(at, f"expected a list, got {_kind_of(value)}", expected="a list")
    if repeated:
        return tuple(convert(args[0], item, at.item(i), hooks) for i, item in enumerate(value))
    if len(value) != len(args):
        raise SeedDataError(at, f"expected a list of {len(args)} values, got {len(value)}")
    pairs = enumerate(zip(args, value, strict=True))
    return tuple(convert(arg, item, at.item(i), hooks) for i, (arg, item) in pairs)


def _table(value: Any, at: At) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SeedDataError(at, f"expected a table, got {_kind_of(value)}", expected="a table")
    return value


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


@dataclass(frozen=True)
class Draw:
    """A value drawn from a random generator and formatted with ``format``.

    Exactly one way to draw: ``bits`` (``getrandbits``), ``integer`` (``randint`` of a
    range, both ends included), ``uniform`` (a float in a range), ``beta`` (a
    beta-distributed float of parameters alpha and beta) or ``choice`` (one of the values;
    repeat a value to make it likelier).
    """

    bits: int | None = None
    integer: tuple[int, int] | None = None
    uniform: tuple[float, float] | None = None
    beta: tuple[float, float] | None = None
    choice: tuple[str, ...] | None = None
    format: str = "{}"

    def __post_init__(self) -> None:
        ways = (self.bits, self.integer, self.uniform, self.beta, self.choice)
        if sum(way is not None for way in ways) != 1:
            raise ValueError("set exactly one of bits, integer, uniform, beta and choice")
        if self.choice == ():
            raise ValueError("choice needs at least one value")

    def __call__(self, rng: random.Random) -> str:
        value: Any
        if self.bits is not None:
            value = rng.getrandbits(self.bits)
        elif self.integer is not None:
            value = rng.randint(*self.integer)
        elif self.uniform is not None:
            value = rng.uniform(*self.uniform)
        elif self.beta is not None:
            value = rng.betavariate(*self.beta)
        else:
            assert self.choice is not None
            value = rng.choice(self.choice)
        return self.format.format(value)


@dataclass(frozen=True)
class Template:
    """A JSON shape filled from an invocation's values: every string in it is a format
    string (``"{order_id}"``; literal braces doubled), the rest is copied as it is."""

    shape: Mapping[str, Any]

    def __call__(self, values: Mapping[str, str]) -> dict[str, Any]:
        return {key: _fill(item, values) for key, item in self.shape.items()}


def _fill(shape: Any, values: Mapping[str, str]) -> Any:
    if isinstance(shape, str):
        return shape.format_map(values)
    if isinstance(shape, dict):
        return {key: _fill(item, values) for key, item in shape.items()}
    if isinstance(shape, list):
        return [_fill(item, values) for item in shape]
    return shape
