"""Runs a Logs Insights query over log events.

``compile_query`` checks a query once (QueryError for anything it cannot run);
``Execution`` takes the events of the time range stream by stream and can say its
result at any point, so a query being run can show partial results.

Semantics, as the Logs Insights documentation gives them: commands run in order;
before the first ``stats`` they see log events, after it the rows ``stats`` made.
Without ``stats`` or ``sort``, events come newest first. Without ``fields``,
``display`` or ``stats``, rows show @timestamp and @message; rows of queries without
``stats`` end with @ptr. A comparison with a missing field is false. Values compare as
numbers when both sides are numbers (numeric strings count), else as text; ``sort``
orders text before numbers and puts missing values last. ``pct`` is the nearest-rank
percentile; ``bin`` rounds @timestamp down to its period (a month counts 30 days).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .syntax import (
    Binary,
    Call,
    Dedup,
    Display,
    Duration,
    Field,
    Fields,
    Filter,
    In,
    Like,
    Limit,
    Literal,
    Named,
    Node,
    Parse,
    Pattern,
    Query,
    QueryError,
    Sort,
    Star,
    Stats,
    Unary,
    parse,
)
from .values import Record, Row, Stamp, number, sort_key, text, truthy

#: Rows a query returns when neither it nor StartQuery says how many.
DEFAULT_LIMIT = 10_000
#: The most rows StartQuery's limit may ask for.
MAX_ROWS = 100_000

Item = Any  # a Record or a Row: anything with get(name) and set(name, value)
Evaluator = Callable[[Item], Any]


class EventLike(Protocol):
    timestamp: int
    message: str
    ingestion_time: int
    event_id: Any


@dataclass(frozen=True, slots=True)
class Event:
    """A log event (moto's LogEvent has the same attributes)."""

    timestamp: int
    message: str
    ingestion_time: int = 0
    event_id: Any = 0


@dataclass(frozen=True)
class Result:
    rows: list[list[tuple[str, str]]]
    records_matched: int
    records_scanned: int
    bytes_scanned: int


# ----- values ---------------------------------------------------------------------------


def _equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    na, nb = number(a), number(b)
    if na is not None and nb is not None:
        return na == nb
    return text(a) == text(b)


def _order(a: Any, b: Any) -> int | None:
    if a is None or b is None:
        return None
    na, nb = number(a), number(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    ta, tb = text(a), text(b)
    return (ta > tb) - (ta < tb)


def _arith(op: str, a: Any, b: Any) -> Any:
    na, nb = number(a), number(b)
    if na is None or nb is None:
        return None
    try:
        if op == "+":
            result: Any = na + nb
        elif op == "-":
            result = na - nb
        elif op == "*":
            result = na * nb
        elif op == "/":
            result = na / nb
        elif op == "%":
            result = (
                math.fmod(na, nb) if isinstance(na, float) or isinstance(nb, float) else na % nb
            )
        else:
            result = float(na) ** float(nb)
    except (ArithmeticError, ValueError):
        return None
    if isinstance(result, complex):
        return None
    if isinstance(result, int) and abs(result) > 2**63:
        result = float(result)
    if isinstance(result, float) and math.isnan(result):
        return None
    return result


def _num(function: Callable[[float], Any]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        n = number(value)
        if n is None:
            return None
        try:
            result = function(n)
        except (ArithmeticError, ValueError):
            return None
        return None if isinstance(result, complex) else result

    return apply


def _text_fn(function: Callable[..., Any]) -> Callable[..., Any]:
    def apply(*values: Any) -> Any:
        if any(value is None for value in values):
            return None
        return function(*[text(value) for value in values])

    return apply


def _substr(value: Any, start: Any, length: Any = 0) -> Any:
    if value is None:
        return None
    first, count = number(start), number(length)
    if first is None or count is None:
        return None
    body = text(value)
    first = max(0, int(first))
    return body[first:] if length == 0 else body[first : first + max(0, int(count))]


def _trim(side: str) -> Callable[..., Any]:
    def apply(value: Any, chars: Any = None) -> Any:
        if value is None:
            return None
        body = text(value)
        strip_chars = None if chars is None else text(chars)
        if side == "l":
            return body.lstrip(strip_chars)
        if side == "r":
            return body.rstrip(strip_chars)
        return body.strip(strip_chars)

    return apply


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def apply(*values: Any) -> Any:
        present = [value for value in values if value is not None]
        return pick(present, key=sort_key) if present else None

    return apply


def _from_millis(value: Any) -> Any:
    n = number(value)
    return None if n is None or math.isinf(n) else Stamp(int(n))


def _to_millis(value: Any) -> Any:
    n = number(value)
    return None if n is None or math.isinf(n) else int(n)


#: Scalar functions: (fewest arguments, most arguments, the function of their values).
SCALARS: dict[str, tuple[int, int, Callable[..., Any]]] = {
    "abs": (1, 1, _num(abs)),
    "ceil": (1, 1, _num(math.ceil)),
    "floor": (1, 1, _num(math.floor)),
    "log": (1, 1, _num(math.log)),
    "sqrt": (1, 1, _num(math.sqrt)),
    "greatest": (1, 100, _extreme(max)),
    "least": (1, 100, _extreme(min)),
    "concat": (1, 100, lambda *v: "".join(text(x) for x in v if x is not None)),
    "strlen": (1, 1, _text_fn(len)),
    "toupper": (1, 1, _text_fn(str.upper)),
    "tolower": (1, 1, _text_fn(str.lower)),
    "trim": (1, 2, _trim("")),
    "ltrim": (1, 2, _trim("l")),
    "rtrim": (1, 2, _trim("r")),
    "substr": (2, 3, _substr),
    "replace": (3, 3, _text_fn(lambda s, old, new: s.replace(old, new) if old else s)),
    "strcontains": (2, 2, _text_fn(lambda s, part: int(part in s))),
    "frommillis": (1, 1, _from_millis),
    "tomillis": (1, 1, _to_millis),
}
AGGREGATES = frozenset(
    {"count", "count_distinct", "sum", "avg", "min", "max", "pct", "stddev", "earliest", "latest"}
)
_SPECIAL = frozenset(
    {"ispresent", "isempty", "isblank", "coalesce", "bin", "datefloor", "dateceil"}
)


# ----- aggregates -----------------------------------------------------------------------


class Accumulator:
    __slots__ = ()

    def add(self, value: Any, item: Item) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError


class _Count(Accumulator):
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    def add(self, value: Any, item: Item) -> None:
        if value is not None:
            self.n += 1

    def value(self) -> Any:
        return self.n


class _CountDistinct(Accumulator):
    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def add(self, value: Any, item: Item) -> None:
        if value is not None:
            self.seen.add(text(value))

    def value(self) -> Any:
        return len(self.seen)


class _Sum(Accumulator):
    """A sum (and count) of the numeric values; ints stay exact, floats are compensated."""

    __slots__ = ("compensation", "floats", "integers", "n")

    def __init__(self) -> None:
        self.integers = 0
        self.floats = 0.0
        self.compensation = 0.0
        self.n = 0

    def add(self, value: Any, item: Item) -> None:
        n = number(value)
        if n is None:
            return
        self.n += 1
        if isinstance(n, int):
            self.integers += n
            return
        total = self.floats + n
        if abs(self.floats) >= abs(n):
            self.compensation += (self.floats - total) + n
        else:
            self.compensation += (n - total) + self.floats
        self.floats = total

    def total(self) -> int | float:
        if self.floats or self.compensation:
            return self.integers + self.floats + self.compensation
        return self.integers

    def value(self) -> Any:
        return self.total() if self.n else None


class _Avg(_Sum):
    __slots__ = ()

    def value(self) -> Any:
        return self.total() / self.n if self.n else None


class _Extreme(Accumulator):
    __slots__ = ("best", "key", "largest")

    def __init__(self, largest: bool) -> None:
        self.largest = largest
        self.best: Any = None
        self.key: Any = None

    def add(self, value: Any, item: Item) -> None:
        if value is None:
            return
        key = sort_key(value)
        if self.key is None or (key > self.key if self.largest else key < self.key):
            self.best, self.key = value, key

    def value(self) -> Any:
        return self.best


class _Percentile(Accumulator):
    __slots__ = ("rank", "values")

    def __init__(self, rank: float) -> None:
        self.rank = rank
        self.values: list[float] = []

    def add(self, value: Any, item: Item) -> None:
        n = number(value)
        if n is not None:
            self.values.append(n)

    def value(self) -> Any:
        if not self.values:
            return None
        ordered = sorted(self.values)
        index = max(0, math.ceil(self.rank / 100 * len(ordered)) - 1)
        return ordered[min(index, len(ordered) - 1)]


class _Stddev(Accumulator):
    """The sample standard deviation (Welford's running form)."""

    __slots__ = ("mean", "n", "squares")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.squares = 0.0

    def add(self, value: Any, item: Item) -> None:
        n = number(value)
        if n is None:
            return
        self.n += 1
        delta = n - self.mean
        self.mean += delta / self.n
        self.squares += delta * (n - self.mean)

    def value(self) -> Any:
        if self.n < 2:
            return 0 if self.n == 1 else None
        try:
            return math.sqrt(self.squares / (self.n - 1))
        except (ArithmeticError, ValueError):
            return None


class _ByTime(Accumulator):
    """earliest()/latest(): the value of the event with the lowest/highest @timestamp."""

    __slots__ = ("best", "latest", "when")

    def __init__(self, latest: bool) -> None:
        self.latest = latest
        self.when: float | None = None
        self.best: Any = None

    def add(self, value: Any, item: Item) -> None:
        if value is None:
            return
        when = number(item.get("@timestamp"))
        if when is None:
            return
        if self.when is None or (when >= self.when if self.latest else when < self.when):
            self.when, self.best = when, value

    def value(self) -> Any:
        return self.best


@dataclass(frozen=True)
class AggregateSpec:
    kind: str
    argument: Evaluator | None  # None: count(*)
    rank: float = 0.0

    def make(self) -> Accumulator:
        kind = self.kind
        if kind == "count":
            return _Count()
        if kind == "count_distinct":
            return _CountDistinct()
        if kind == "sum":
            return _Sum()
        if kind == "avg":
            return _Avg()
        if kind in ("min", "max"):
            return _Extreme(kind == "max")
        if kind == "pct":
            return _Percentile(self.rank)
        if kind == "stddev":
            return _Stddev()
        return _ByTime(kind == "latest")


class _Scope:
    """What a stats expression reads: the aggregates' values and the row so far."""

    __slots__ = ("row", "slots")

    def __init__(self, slots: list[Any], row: dict[str, Any]) -> None:
        self.slots = slots
        self.row = row

    def get(self, name: str) -> Any:
        return self.row.get(name)


# ----- compiling expressions --------------------------------------------------------------


class Compiler:
    """Turns syntax nodes into functions of an item (a record, a row, a stats scope)."""

    def __init__(self, text: str) -> None:
        self.text = text
        # While compiling a stats item: the aggregates found and the names it may read.
        self.specs: list[AggregateSpec] | None = None
        self.known: set[str] = set()

    def error(self, message: str, node: Node) -> QueryError:
        return QueryError(message, node.start, node.end)

    def expr(self, node: Node) -> Evaluator:
        if isinstance(node, Literal):
            value = node.value
            return lambda item: value
        if isinstance(node, Field):
            name = node.name
            if self.specs is not None and name not in self.known:
                raise self.error(
                    f"{name} must be inside an aggregate function or named after 'by'", node
                )
            return lambda item: item.get(name)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Unary):
            operand = self.expr(node.operand)
            if node.op == "not":
                return lambda item: not truthy(operand(item))
            return lambda item: _arith("*", operand(item), -1)
        if isinstance(node, Like):
            return self.like(node)
        if isinstance(node, In):
            return self.membership(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Duration):
            raise self.error("a time period goes inside bin(), datefloor() or dateceil()", node)
        if isinstance(node, Star):
            raise self.error("* goes only inside count(*)", node)
        if isinstance(node, Pattern):
            raise self.error("a pattern goes after 'like' or '=~'", node)
        raise self.error("this cannot be evaluated", node)

    def binary(self, node: Binary) -> Evaluator:
        left, right = self.expr(node.left), self.expr(node.right)
        op = node.op
        if op == "and":
            return lambda item: truthy(left(item)) and truthy(right(item))
        if op == "or":
            return lambda item: truthy(left(item)) or truthy(right(item))
        if op in ("=", "!="):
            same = op == "="
            if isinstance(node.right, Literal) and number(node.right.value) is None:
                # Text against a word: no number to try.
                word = text(node.right.value)
                return lambda item: (v := left(item)) is not None and (text(v) == word) is same
            return lambda item: _equal(left(item), right(item)) is same
        if op in ("<", "<=", ">", ">="):
            test = {
                "<": lambda c: c < 0,
                "<=": lambda c: c <= 0,
                ">": lambda c: c > 0,
                ">=": lambda c: c >= 0,
            }[op]

            def compare(item: Item) -> bool:
                order = _order(left(item), right(item))
                return order is not None and test(order)

            return compare
        return lambda item: _arith(op, left(item), right(item))

    def like(self, node: Like) -> Evaluator:
        subject = self.expr(node.subject)
        negated = node.negated
        regex = node.pattern.regex
        if regex is not None:
            search = regex.search

            def matches(item: Item) -> bool:
                value = subject(item)
                if value is None:
                    return False
                return (search(text(value)) is None) is negated

            return matches
        part = node.pattern.text

        def contains(item: Item) -> bool:
            value = subject(item)
            if value is None:
                return False
            return (part in text(value)) is not negated

        return contains

    def membership(self, node: In) -> Evaluator:
        subject = self.expr(node.subject)
        items = [self.expr(entry) for entry in node.items]
        negated = node.negated

        def member(item: Item) -> bool:
            value = subject(item)
            if value is None:
                return False
            found = any(_equal(value, entry(item)) for entry in items)
            return found is not negated

        return member

    def call(self, node: Call) -> Evaluator:
        name = node.name.lower()
        args = node.args
        if name in AGGREGATES:
            return self.aggregate(node, name)
        if args and isinstance(args[0], Star):
            raise self.error("* goes only inside count(*)", args[0])
        if name in _SPECIAL:
            return self.special(node, name)
        if name not in SCALARS:
            raise self.error(f"unknown function {node.name!r}", node)
        fewest, most, function = SCALARS[name]
        self.arity(node, fewest, most)
        compiled = [self.expr(arg) for arg in args]
        return lambda item: function(*[arg(item) for arg in compiled])

    def arity(self, node: Call, fewest: int, most: int) -> None:
        count = len(node.args)
        if not fewest <= count <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise self.error(f"{node.name}() takes {wanted} arguments, not {count}", node)

    def period(self, node: Call, arg: Node) -> int:
        if not isinstance(arg, Duration):
            raise self.error(f"{node.name}() needs a time period such as 5m or 1h", arg)
        if arg.ms <= 0:
            raise self.error("the time period must be longer than zero", arg)
        return arg.ms

    def special(self, node: Call, name: str) -> Evaluator:
        args = node.args
        if name in ("ispresent", "isempty", "isblank"):
            self.arity(node, 1, 1)
            value = self.expr(args[0])
            if name == "ispresent":
                return lambda item: value(item) is not None
            if name == "isempty":
                return lambda item: (v := value(item)) is None or text(v) == ""
            return lambda item: (v := value(item)) is None or text(v).strip() == ""
        if name == "coalesce":
            self.arity(node, 1, 100)
            options = [self.expr(arg) for arg in args]

            def coalesce(item: Item) -> Any:
                for option in options:
                    value = option(item)
                    if value is not None:
                        return value
                return None

            return coalesce
        if name == "bin":
            self.arity(node, 1, 1)
            if self.specs is not None:
                raise self.error("bin() goes after 'by' or inside an aggregate", node)
            ms = self.period(node, args[0])

            def bin_of(item: Item) -> Any:
                when = item.get("@timestamp")
                return None if when is None else Stamp(when - when % ms)

            return bin_of
        self.arity(node, 2, 2)
        value = self.expr(args[0])
        ms = self.period(node, args[1])
        ceiling = name == "dateceil"

        def rounded(item: Item) -> Any:
            n = number(value(item))
            if n is None or math.isinf(n):
                return None
            floor = int(n) - int(n) % ms
            return Stamp(floor + ms if ceiling and floor != int(n) else floor)

        return rounded

    def aggregate(self, node: Call, name: str) -> Evaluator:
        specs = self.specs
        if specs is None:
            raise self.error(f"{node.name}() is an aggregate function: use it in stats", node)
        args = node.args
        rank = 0.0
        if name == "count" and (not args or isinstance(args[0], Star)):
            self.arity(node, 0, 1)
            argument: Evaluator | None = None
        else:
            self.arity(node, 2 if name == "pct" else 1, 2 if name == "pct" else 1)
            if isinstance(args[0], Star):
                raise self.error("* goes only inside count(*)", args[0])
            if name == "pct":
                level = args[1]
                if not (isinstance(level, Literal) and number(level.value) is not None):
                    raise self.error("pct() needs a percentile from 0 to 100", level)
                rank = float(number(level.value) or 0)
                if not 0 <= rank <= 100:
                    raise self.error("pct() needs a percentile from 0 to 100", level)
            # The argument is evaluated per event, outside the stats scope.
            self.specs, known = None, self.known
            try:
                argument = self.expr(args[0])
            except QueryError as exc:
                if "aggregate function" in exc.message:
                    raise self.error("aggregate functions cannot be nested", node) from None
                raise
            finally:
                self.specs, self.known = specs, known
        slot = len(specs)
        specs.append(AggregateSpec(name, argument, rank))
        return lambda scope: scope.slots[slot]


# ----- commands ---------------------------------------------------------------------------


class Aggregation:
    """One stats command's groups and their accumulators."""

    def __init__(self, plan: StatsPlan) -> None:
        self.plan = plan
        self.groups: dict[tuple[Any, ...], tuple[list[Any], list[Accumulator]]] = {}

    def add(self, item: Item) -> None:
        plan = self.plan
        values = [by(item) for by in plan.by]
        key = tuple(values)
        group = self.groups.get(key)
        if group is None:
            group = (values, [spec.make() for spec in plan.specs])
            self.groups[key] = group
        for spec, accumulator in zip(plan.specs, group[1], strict=True):
            argument = spec.argument
            accumulator.add(True if argument is None else argument(item), item)

    def rows(self) -> list[Row]:
        plan = self.plan
        groups = list(self.groups.values())
        if not groups and not plan.by:
            groups = [([], [spec.make() for spec in plan.specs])]
        rows = []
        for values, accumulators in groups:
            row: dict[str, Any] = dict(zip(plan.by_names, values, strict=True))
            scope = _Scope([acc.value() for acc in accumulators], row)
            for name, item in plan.items:
                row[name] = item(scope)
            rows.append(Row(row))
        if plan.time_bin is not None:
            # Time series come newest first, like events.
            name = plan.time_bin
            rows.sort(key=lambda r: _missing_last(r.get(name)), reverse=True)
        elif plan.by_names:
            rows.sort(key=lambda r: [_missing_last(r.get(n)) for n in plan.by_names])
        return rows


def _missing_last(value: Any) -> tuple[Any, ...]:
    return (1,) if value is None else (0, sort_key(value))


@dataclass
class StatsPlan:
    specs: list[AggregateSpec]
    by: list[Evaluator]
    by_names: list[str]
    items: list[tuple[str, Evaluator]]
    time_bin: str | None


def _sorted(items: list[Item], keys: Sequence[tuple[Evaluator, bool]]) -> list[Item]:
    ordered = list(items)
    for key, descending in reversed(keys):
        if descending:
            ordered.sort(
                key=lambda i: (1, sort_key(v)) if (v := key(i)) is not None else (0,), reverse=True
            )
        else:
            ordered.sort(key=lambda i: (0, sort_key(v)) if (v := key(i)) is not None else (1,))
    return ordered


class Stage:
    """A command after the first one that needs every event (a sort, a limit, stats)."""

    def run(self, items: list[Item]) -> list[Item]:
        raise NotImplementedError


@dataclass
class EachStage(Stage):
    """fields, filter or parse applied to every item."""

    step: Callable[[Item], bool]

    def run(self, items: list[Item]) -> list[Item]:
        step = self.step
        return [item for item in items if step(item)]


@dataclass
class SortStage(Stage):
    keys: list[tuple[Evaluator, bool]]

    def run(self, items: list[Item]) -> list[Item]:
        return _sorted(items, self.keys)


@dataclass
class LimitStage(Stage):
    count: int

    def run(self, items: list[Item]) -> list[Item]:
        return items[: self.count]


@dataclass
class DedupStage(Stage):
    names: tuple[str, ...]

    def run(self, items: list[Item]) -> list[Item]:
        seen: set[tuple[str, ...]] = set()
        kept = []
        for item in items:
            values = [item.get(name) for name in self.names]
            if any(value is None for value in values):
                kept.append(item)
                continue
            key = tuple(text(value) for value in values)
            if key not in seen:
                seen.add(key)
                kept.append(item)
        return kept


@dataclass
class StatsStage(Stage):
    plan: StatsPlan

    def run(self, items: list[Item]) -> list[Item]:
        aggregation = Aggregation(self.plan)
        for item in items:
            aggregation.add(item)
        return list(aggregation.rows())


@dataclass
class CompiledQuery:
    """A query ready to run: per-event steps, then the stages that need all events."""

    query: Query
    steps: list[Callable[[Item], bool]] = field(default_factory=list)
    first_stats: StatsPlan | None = None
    stages: list[Stage] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    has_stats: bool = False
    has_limit: bool = False


def compile_query(query_text: str) -> CompiledQuery:
    """Check and compile a query; raises QueryError when it cannot run."""
    try:
        return _compile(parse(query_text))
    except QueryError:
        raise
    except RecursionError:
        raise QueryError("the query nests too deeply", 0, len(query_text)) from None


def _compile(query: Query) -> CompiledQuery:
    compiler = Compiler(query.text)
    compiled = CompiledQuery(query)
    shown: list[str] = []
    display: list[str] | None = None
    sorted_yet = False
    barrier = False
    for command in query.commands:
        stage: Stage | None = None
        step: Callable[[Item], bool] | None = None
        if isinstance(command, Fields):
            step = _fields_step(compiler, command.items)
            for item in command.items:
                if item.name not in shown:
                    shown.append(item.name)
        elif isinstance(command, Filter):
            step = _filter_step(compiler, command)
        elif isinstance(command, Parse):
            step = _parse_step(compiler, command)
        elif isinstance(command, Display):
            display = list(command.names)
        elif isinstance(command, Stats):
            plan = _stats_plan(compiler, command)
            compiled.has_stats = True
            shown, display = [*plan.by_names, *(name for name, _ in plan.items)], None
            if not barrier:
                compiled.first_stats = plan
                barrier = True
                continue
            stage = StatsStage(plan)
        elif isinstance(command, Sort):
            sorted_yet = True
            stage = SortStage([(compiler.expr(key.expr), key.descending) for key in command.keys])
        elif isinstance(command, Limit):
            compiled.has_limit = True
            stage = LimitStage(command.count)
        elif isinstance(command, Dedup):
            if not sorted_yet and not compiled.has_stats:
                compiled.stages.append(_newest_first())
                sorted_yet = True
            stage = DedupStage(command.names)
        if step is not None:
            if barrier:
                compiled.stages.append(EachStage(step))
            else:
                compiled.steps.append(step)
        elif stage is not None:
            barrier = True
            compiled.stages.append(stage)
    if not compiled.has_stats and not sorted_yet:
        compiled.stages.insert(0, _newest_first())
    if display is not None:
        compiled.columns = display
    else:
        compiled.columns = shown or ["@timestamp", "@message"]
    return compiled


def _newest_first() -> SortStage:
    return SortStage([(lambda item: item.get("@timestamp"), True)])


def _fields_step(compiler: Compiler, items: tuple[Named, ...]) -> Callable[[Item], bool]:
    assignments = [
        (named.name, compiler.expr(named.expr))
        for named in items
        if not (isinstance(named.expr, Field) and named.expr.name == named.name)
    ]

    def step(item: Item) -> bool:
        for name, value in assignments:
            item.set(name, value(item))
        return True

    return step


def _filter_step(compiler: Compiler, command: Filter) -> Callable[[Item], bool]:
    condition = compiler.expr(command.condition)
    return lambda item: truthy(condition(item))


def _parse_step(compiler: Compiler, command: Parse) -> Callable[[Item], bool]:
    source = compiler.expr(command.source)
    search = command.regex.search
    names = command.names
    by_name = command.regex.groupindex

    def step(item: Item) -> bool:
        value = source(item)
        if value is None:
            return True
        match = search(text(value))
        if match is not None:
            if by_name:
                for name in names:
                    item.set(name, match.group(name))
            else:
                for name, found in zip(names, match.groups(), strict=False):
                    item.set(name, found)
        return True

    return step


def _stats_plan(compiler: Compiler, command: Stats) -> StatsPlan:
    by = [compiler.expr(named.expr) for named in command.by]
    by_names = [named.name for named in command.by]
    time_bin = next(
        (
            named.name
            for named in command.by
            if isinstance(named.expr, Call) and named.expr.name.lower() == "bin"
        ),
        None,
    )
    specs: list[AggregateSpec] = []
    items: list[tuple[str, Evaluator]] = []
    known = set(by_names)
    for named in command.items:
        compiler.specs, compiler.known = specs, set(known)
        before = len(specs)
        try:
            item = compiler.expr(named.expr)
        finally:
            compiler.specs, compiler.known = None, set()
        if len(specs) == before and not _reads_names(named.expr):
            raise QueryError(
                "stats needs an aggregate function such as count(*)",
                named.expr.start,
                named.expr.end,
            )
        items.append((named.name, item))
        known.add(named.name)
    return StatsPlan(specs, by, by_names, items, time_bin)


def _reads_names(node: Node) -> bool:
    if isinstance(node, Field):
        return True
    children: Iterable[Any] = (getattr(node, name, None) for name in ("left", "right", "operand"))
    if isinstance(node, Call):
        children = node.args
    return any(isinstance(child, Node) and _reads_names(child) for child in children)


# ----- running -----------------------------------------------------------------------------


class Execution:
    """One run of a compiled query: feed it the events, ask for the result at any time."""

    def __init__(
        self, compiled: CompiledQuery, limit: int | None = None, max_rows: int = MAX_ROWS
    ) -> None:
        self.compiled = compiled
        self.cap = min(limit or DEFAULT_LIMIT, max_rows)
        self.records_scanned = 0
        self.bytes_scanned = 0
        self.records_matched = 0
        self.aggregation = Aggregation(compiled.first_stats) if compiled.first_stats else None
        self.items: list[Item] = []
        self._bound = self._bounded_sort()

    def _bounded_sort(self) -> tuple[SortStage, int] | None:
        """When the stages start with a sort and a limit (or the default order and the
        row cap), only the first rows can ever show: keep no more than those."""
        stages = self.compiled.stages
        if self.aggregation is not None or not stages or not isinstance(stages[0], SortStage):
            return None
        if len(stages) > 1 and isinstance(stages[1], LimitStage):
            return stages[0], stages[1].count
        if len(stages) == 1 and not self.compiled.has_limit:
            return stages[0], self.cap
        return None

    def feed(self, events: Iterable[EventLike], group: str, stream: str, account: str) -> None:
        steps = self.compiled.steps
        aggregation = self.aggregation
        items = self.items
        log = f"{account}:{group}"
        ptr_base = f"{account}:{group}:{stream}:"
        scanned = matched = size = 0
        for event in events:
            message = event.message
            scanned += 1
            size += len(message)
            record = Record(
                event.timestamp,
                message,
                event.ingestion_time,
                stream,
                log,
                ptr_base + str(event.event_id),
            )
            for step in steps:
                if not step(record):
                    break
            else:
                matched += 1
                if aggregation is not None:
                    aggregation.add(record)
                else:
                    items.append(record)
        self.records_scanned += scanned
        self.bytes_scanned += size
        self.records_matched += matched
        if self._bound is not None:
            sort, keep = self._bound
            if len(items) > max(4 * keep, 4096):
                self.items = sort.run(items)[:keep]

    def result(self) -> Result:
        compiled = self.compiled
        items: list[Item] = (
            list(self.aggregation.rows()) if self.aggregation is not None else list(self.items)
        )
        for stage in compiled.stages:
            items = stage.run(items)
        if not compiled.has_limit:
            items = items[: self.cap]
        columns = compiled.columns
        rows = []
        for item in items:
            row = []
            for name in columns:
                value = item.get(name)
                if value is not None:
                    row.append((name, text(value)))
            ptr = item.ptr
            if ptr is not None:
                row.append(("@ptr", base64.b64encode(ptr.encode()).decode()))
            rows.append(row)
        return Result(rows, self.records_matched, self.records_scanned, self.bytes_scanned)


def in_range(events: Sequence[EventLike], start_ms: int, end_ms: int) -> Iterable[EventLike]:
    """The events with start_ms <= timestamp <= end_ms."""
    return (event for event in events if start_ms <= event.timestamp <= end_ms)


def run(
    query_text: str,
    streams: Iterable[tuple[str, str, Sequence[EventLike]]],
    start_ms: int = 0,
    end_ms: int = 2**62,
    *,
    limit: int | None = None,
    account: str = "123456789012",
) -> Result:
    """Run a query over ``(group, stream, events)`` in one go."""
    execution = Execution(compile_query(query_text), limit)
    for group, stream, events in streams:
        execution.feed(in_range(events, start_ms, end_ms), group, stream, account)
    return execution.result()
