"""The Logs Insights query language: tokens, syntax tree and parser.

A query is commands joined by ``|``; ``#`` starts a comment that runs to the end of the
line. Every failure to read a query is a ``QueryError`` that names the characters at
fault (``start`` inclusive, ``end`` exclusive), which the API answers as
MalformedQueryException's queryCompileError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

#: How deeply expressions may nest (parentheses, operators, calls).
MAX_DEPTH = 64
#: The most rows a ``limit`` command may ask for.
MAX_LIMIT = 10_000


class QueryError(Exception):
    """The query cannot be compiled; ``start``/``end`` are character offsets."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = max(0, start)
        self.end = max(self.start, end)


# ----- tokens ---------------------------------------------------------------------

NAME, BACKTICK, NUMBER, DURATION, STRING, REGEX, OP, PIPE, END = (
    "name",
    "backtick",
    "number",
    "duration",
    "string",
    "regex",
    "op",
    "pipe",
    "end",
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    value: Any
    start: int
    end: int

    def word(self) -> str:
        """The lower-cased text of a name token ('' for other kinds)."""
        return self.text.lower() if self.kind == NAME else ""


_NAME = re.compile(r"[A-Za-z_@][A-Za-z0-9_@.]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_UNIT = re.compile(r"[A-Za-z]+")
_OPERATORS = ("=~", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", "^")
_PUNCTUATION = "()[],"
#: Tokens after which ``/`` divides; after anything else it opens a regular expression.
_VALUE_ENDS = {NAME, BACKTICK, NUMBER, DURATION, STRING, REGEX}
_KEYWORDS = {"and", "or", "not", "like", "in", "as", "by", "asc", "desc"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}

#: bin() and datefloor() units, with their plurals, in milliseconds (month = 30 days).
_UNITS_MS = {
    "ms": 1,
    "msec": 1,
    "millisecond": 1,
    "s": 1000,
    "sec": 1000,
    "second": 1000,
    "m": 60_000,
    "min": 60_000,
    "minute": 60_000,
    "h": 3_600_000,
    "hr": 3_600_000,
    "hour": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
    "w": 604_800_000,
    "week": 604_800_000,
    "mo": 2_592_000_000,
    "mon": 2_592_000_000,
    "month": 2_592_000_000,
    "q": 7_776_000_000,
    "qtr": 7_776_000_000,
    "quarter": 7_776_000_000,
    "y": 31_536_000_000,
    "yr": 31_536_000_000,
    "year": 31_536_000_000,
}


def unit_ms(unit: str) -> int | None:
    unit = unit.lower()
    if unit in _UNITS_MS:
        return _UNITS_MS[unit]
    if len(unit) > 2 and unit.endswith("s") and unit[:-1] in _UNITS_MS:
        return _UNITS_MS[unit[:-1]]
    return None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n\f\v":
            i += 1
            continue
        if ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        start = i
        if ch == "|":
            tokens.append(Token(PIPE, ch, None, start, i + 1))
            i += 1
        elif ch in "\"'":
            value, i = _quoted(text, i, ch)
            tokens.append(Token(STRING, text[start:i], value, start, i))
        elif ch == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise QueryError("a field name in backticks is not closed", start, n)
            if close == i + 1:
                raise QueryError("a field name in backticks is empty", start, close + 1)
            i = close + 1
            tokens.append(Token(BACKTICK, text[start:i], text[start + 1 : close], start, i))
        elif ch == "/" and _regex_allowed(tokens):
            value, i = _quoted(text, i, "/")
            tokens.append(Token(REGEX, text[start:i], value, start, i))
        elif "0" <= ch <= "9":
            match = _NUMBER.match(text, i)
            assert match is not None
            i = match.end()
            unit = _UNIT.match(text, i)
            if unit is not None:
                ms = unit_ms(unit.group())
                if ms is None:
                    raise QueryError(f"unknown time unit {unit.group()!r}", start, unit.end())
                i = unit.end()
                amount = float(match.group())
                tokens.append(Token(DURATION, text[start:i], int(amount * ms), start, i))
            else:
                tokens.append(Token(NUMBER, match.group(), _number(match.group()), start, i))
        elif _NAME.match(text, i):
            match = _NAME.match(text, i)
            assert match is not None
            i = match.end()
            tokens.append(Token(NAME, match.group(), match.group(), start, i))
        elif ch in _PUNCTUATION:
            tokens.append(Token(OP, ch, None, start, i + 1))
            i += 1
        else:
            for op in _OPERATORS:
                if text.startswith(op, i):
                    tokens.append(Token(OP, op, None, start, i + len(op)))
                    i += len(op)
                    break
            else:
                raise QueryError(f"unexpected character {ch!r}", start, start + 1)
    tokens.append(Token(END, "", None, n, n))
    return tokens


def _quoted(text: str, i: int, quote: str) -> tuple[str, int]:
    """The body of a quoted string or /regex/ starting at ``i``, and the index after it."""
    out: list[str] = []
    j, n = i + 1, len(text)
    while j < n:
        ch = text[j]
        if ch == "\\" and j + 1 < n:
            nxt = text[j + 1]
            if quote == "/":
                # A regex keeps its escapes; only \/ stands for a plain slash.
                out.append("/" if nxt == "/" else ch + nxt)
            else:
                out.append(_ESCAPES.get(nxt, "\\" + nxt))
            j += 2
            continue
        if ch == quote:
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    kind = "regular expression" if quote == "/" else "string"
    raise QueryError(f"the {kind} is not closed", i, n)


def _regex_allowed(tokens: list[Token]) -> bool:
    if not tokens:
        return True
    last = tokens[-1]
    if last.kind == NAME and (last.word() in _KEYWORDS or last.word() in COMMANDS):
        return True
    if last.kind in _VALUE_ENDS:
        # `parse @message /(?<x>...)/`: the field is the source, then the pattern.
        return len(tokens) >= 2 and tokens[-2].word() == "parse"
    return last.text not in (")", "]")


def _number(text: str) -> int | float:
    if text.isdigit() and len(text) <= 18:
        return int(text)
    return float(text)


# ----- syntax tree ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Field(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Duration(Node):
    ms: int


@dataclass(frozen=True, slots=True)
class Pattern(Node):
    """A ``like``/``=~`` operand: a substring, or a compiled regular expression."""

    text: str
    regex: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Star(Node):
    pass


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Like(Node):
    subject: Node
    pattern: Pattern
    negated: bool


@dataclass(frozen=True, slots=True)
class In(Node):
    subject: Node
    items: tuple[Node, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Named:
    """An expression and the name its value goes by (an alias, or the text itself)."""

    expr: Node
    name: str


@dataclass(frozen=True, slots=True)
class Command:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Fields(Command):
    items: tuple[Named, ...]


@dataclass(frozen=True, slots=True)
class Display(Command):
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Filter(Command):
    condition: Node


@dataclass(frozen=True, slots=True)
class Parse(Command):
    source: Node
    regex: re.Pattern[str]
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stats(Command):
    items: tuple[Named, ...]
    by: tuple[Named, ...]


@dataclass(frozen=True, slots=True)
class SortKey:
    expr: Node
    descending: bool


@dataclass(frozen=True, slots=True)
class Sort(Command):
    keys: tuple[SortKey, ...]


@dataclass(frozen=True, slots=True)
class Limit(Command):
    count: int


@dataclass(frozen=True, slots=True)
class Dedup(Command):
    names: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    text: str
    commands: tuple[Command, ...] = field(default_factory=tuple)


# ----- regular expressions ----------------------------------------------------------

_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")
_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def compile_regex(body: str, start: int, end: int) -> re.Pattern[str]:
    """A Logs Insights regular expression (Java-style ``(?<name>``, inline flags
    anywhere) as a Python pattern."""
    flags = "".join(dict.fromkeys("".join(_INLINE_FLAGS.findall(body))))
    source = _NAMED_GROUP.sub("(?P<", _INLINE_FLAGS.sub("", body))
    if flags:
        source = f"(?{flags}){source}"
    try:
        return re.compile(source)
    except (re.error, ValueError, OverflowError, RecursionError) as exc:
        raise QueryError(f"invalid regular expression: {exc}", start, end) from None


def compile_glob(text: str, start: int, end: int) -> tuple[re.Pattern[str], int]:
    """A parse glob (``*`` captures) as a regex, and how many captures it has."""
    pieces = text.split("*")
    if len(pieces) == 1:
        raise QueryError("a parse pattern needs at least one *", start, end)
    out = [re.escape(pieces[0])]
    for index, piece in enumerate(pieces[1:], start=1):
        last = index == len(pieces) - 1
        out.append("(.*)" if last and not piece else "(.*?)")
        out.append(re.escape(piece))
    return re.compile("".join(out), re.DOTALL), len(pieces) - 1


# ----- parser -------------------------------------------------------------------------

COMMANDS = ("fields", "display", "filter", "parse", "stats", "sort", "limit", "dedup")
#: Commands of the real language this engine does not run.
UNSUPPORTED = (
    "unnest",
    "lookup",
    "join",
    "pattern",
    "anomaly",
    "diff",
    "unmask",
    "filterindex",
    "source",
    "head",
    "tail",
)


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    # ----- token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != END:
            self.pos += 1
        return token

    def at_word(self, *words: str) -> bool:
        return self.tok.word() in words

    def at_op(self, *ops: str) -> bool:
        return self.tok.kind == OP and self.tok.text in ops

    def expect_op(self, op: str) -> Token:
        if not self.at_op(op):
            raise self.error(f"expected {op!r}")
        return self.advance()

    def error(self, message: str, token: Token | None = None) -> QueryError:
        token = token or self.tok
        if token.kind == END:
            return QueryError(f"{message} at the end of the query", token.start, token.end)
        return QueryError(f"{message}, found {token.text!r}", token.start, token.end)

    def source(self, start: int, end: int) -> str:
        return " ".join(self.text[start:end].split())

    # ----- query and commands

    def query(self) -> Query:
        commands: list[Command] = []
        while True:
            if self.tok.kind == PIPE:
                raise self.error("expected a command")
            if self.tok.kind == END:
                if commands:
                    raise self.error("expected a command after '|'")
                break
            commands.append(self.command())
            if self.tok.kind == END:
                break
            if self.tok.kind != PIPE:
                raise self.error("expected '|' between commands")
            self.advance()
        return Query(self.text, tuple(commands))

    def command(self) -> Command:
        token = self.tok
        word = token.word()
        if token.kind != NAME or word not in COMMANDS:
            if word in UNSUPPORTED:
                raise QueryError(
                    f"the {token.text} command is not supported here", token.start, token.end
                )
            raise QueryError(f"unknown command {token.text!r}", token.start, token.end)
        self.advance()
        build = getattr(self, f"cmd_{word}")
        command: Command = build(token.start)
        return command

    def end_of(self, start: int) -> int:
        return self.tokens[self.pos - 1].end if self.pos else start

    def cmd_fields(self, start: int) -> Fields:
        return Fields(start, self.end_of(start), tuple(self.named_list()))

    def cmd_filter(self, start: int) -> Filter:
        condition = self.expr()
        return Filter(start, self.end_of(start), condition)

    def cmd_display(self, start: int) -> Display:
        return Display(start, self.end_of(start), tuple(self.name_list()))

    def cmd_dedup(self, start: int) -> Dedup:
        return Dedup(start, self.end_of(start), tuple(self.name_list()))

    def cmd_limit(self, start: int) -> Limit:
        token = self.tok
        if token.kind != NUMBER or not isinstance(token.value, int):
            raise self.error("limit needs a whole number")
        self.advance()
        if not 1 <= token.value <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT:,}", token.start, token.end)
        return Limit(start, token.end, token.value)

    def cmd_sort(self, start: int) -> Sort:
        keys = []
        while True:
            expr = self.expr()
            descending = False
            if self.at_word("asc", "desc"):
                descending = self.advance().word() == "desc"
            keys.append(SortKey(expr, descending))
            if not self.at_op(","):
                break
            self.advance()
        return Sort(start, self.end_of(start), tuple(keys))

    def cmd_parse(self, start: int) -> Parse:
        source: Node = Field(start, start, "@message")
        if self.tok.kind not in (STRING, REGEX):
            source = self.primary()
        pattern = self.tok
        if pattern.kind == REGEX:
            self.advance()
            regex = compile_regex(pattern.value, pattern.start, pattern.end)
            names = tuple(regex.groupindex)
            if not names:
                raise QueryError(
                    "a parse regular expression needs named groups (?<name>...)",
                    pattern.start,
                    pattern.end,
                )
            if self.at_word("as"):
                raise self.error("a parse regular expression names its fields itself")
            return Parse(start, self.end_of(start), source, regex, names)
        if pattern.kind != STRING:
            raise self.error('parse needs a "glob" or a /regular expression/')
        self.advance()
        regex, captures = compile_glob(pattern.value, pattern.start, pattern.end)
        if not self.at_word("as"):
            raise self.error("parse with a glob needs 'as' and field names")
        self.advance()
        names = tuple(self.name_list())
        if len(names) != captures:
            raise QueryError(
                f"the pattern has {captures} * but {len(names)} field names are given",
                pattern.start,
                self.end_of(start),
            )
        return Parse(start, self.end_of(start), source, regex, names)

    def cmd_stats(self, start: int) -> Stats:
        items = tuple(self.named_list())
        by: tuple[Named, ...] = ()
        if self.at_word("by"):
            self.advance()
            by = tuple(self.named_list())
        return Stats(start, self.end_of(start), items, by)

    def named_list(self) -> list[Named]:
        items = []
        while True:
            expr = self.expr()
            if self.at_word("as"):
                self.advance()
                name = self.field_name()
            elif isinstance(expr, Field):
                name = expr.name
            else:
                name = self.source(expr.start, expr.end)
            items.append(Named(expr, name))
            if not self.at_op(","):
                return items
            self.advance()

    def name_list(self) -> list[str]:
        names = [self.field_name()]
        while self.at_op(","):
            self.advance()
            names.append(self.field_name())
        return names

    def field_name(self) -> str:
        token = self.tok
        if token.kind == BACKTICK:
            self.advance()
            return str(token.value)
        if token.kind == NAME and token.word() not in _KEYWORDS:
            self.advance()
            return token.text
        raise self.error("expected a field name")

    # ----- expressions

    def expr(self) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.error("the expression nests too deeply")
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> Node:
        left = self.conjunction()
        while self.at_word("or"):
            self.advance()
            right = self.conjunction()
            left = Binary(left.start, right.end, "or", left, right)
        return left

    def conjunction(self) -> Node:
        left = self.negation()
        while self.at_word("and"):
            self.advance()
            right = self.negation()
            left = Binary(left.start, right.end, "and", left, right)
        return left

    def negation(self) -> Node:
        if self.at_word("not"):
            token = self.advance()
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise self.error("the expression nests too deeply")
                operand = self.negation()
            finally:
                self.depth -= 1
            return Unary(token.start, operand.end, "not", operand)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        negated = False
        if self.at_word("not") and self.tokens[self.pos + 1].word() in ("like", "in"):
            self.advance()
            negated = True
        if self.at_word("like") or self.at_op("=~"):
            self.advance()
            pattern = self.pattern()
            return Like(left.start, pattern.end, left, pattern, negated)
        if self.at_word("in"):
            self.advance()
            items, end = self.list_items()
            return In(left.start, end, left, items, negated)
        if self.at_op("=", "!=", "<", "<=", ">", ">="):
            op = self.advance().text
            right = self.additive()
            return Binary(left.start, right.end, op, left, right)
        return left

    def pattern(self) -> Pattern:
        token = self.tok
        if token.kind == REGEX:
            self.advance()
            regex = compile_regex(token.value, token.start, token.end)
            return Pattern(token.start, token.end, token.value, regex)
        if token.kind == STRING:
            self.advance()
            return Pattern(token.start, token.end, token.value, None)
        raise self.error('expected a "string" or a /regular expression/')

    def list_items(self) -> tuple[tuple[Node, ...], int]:
        self.expect_op("[")
        items: list[Node] = []
        if not self.at_op("]"):
            items.append(self.additive())
            while self.at_op(","):
                self.advance()
                items.append(self.additive())
        end = self.expect_op("]").end
        return tuple(items), end

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.at_op("+", "-"):
            op = self.advance().text
            right = self.multiplicative()
            left = Binary(left.start, right.end, op, left, right)
        return left

    def multiplicative(self) -> Node:
        left = self.power()
        while self.at_op("*", "/", "%"):
            op = self.advance().text
            right = self.power()
            left = Binary(left.start, right.end, op, left, right)
        return left

    def power(self) -> Node:
        base = self.unary()
        if self.at_op("^"):
            self.advance()
            exponent = self.power_operand()
            return Binary(base.start, exponent.end, "^", base, exponent)
        return base

    def power_operand(self) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.error("the expression nests too deeply")
            return self.power()
        finally:
            self.depth -= 1

    def unary(self) -> Node:
        if self.at_op("-", "+"):
            token = self.advance()
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise self.error("the expression nests too deeply")
                operand = self.unary()
            finally:
                self.depth -= 1
            if token.text == "+":
                return operand
            if isinstance(operand, Literal) and isinstance(operand.value, int | float):
                return Literal(token.start, operand.end, -operand.value)
            return Unary(token.start, operand.end, "-", operand)
        return self.primary()

    def primary(self) -> Node:
        token = self.tok
        if token.kind in (NUMBER, STRING):
            self.advance()
            return Literal(token.start, token.end, token.value)
        if token.kind == DURATION:
            self.advance()
            return Duration(token.start, token.end, token.value)
        if token.kind == BACKTICK:
            self.advance()
            return Field(token.start, token.end, token.value)
        if token.kind == REGEX:
            raise self.error("a regular expression goes after 'like' or '=~'")
        if self.at_op("("):
            self.advance()
            inner = self.expr()
            end = self.expect_op(")").end
            # The parentheses count in the node's span, so its name keeps them.
            return replace(inner, start=token.start, end=end)
        if token.kind == NAME and token.word() not in _KEYWORDS:
            self.advance()
            if self.at_op("("):
                return self.call(token)
            return Field(token.start, token.end, token.text)
        raise self.error("expected a field, a value or a function")

    def call(self, name: Token) -> Call:
        self.advance()
        args: list[Node] = []
        if self.at_op("*"):
            star = self.advance()
            args.append(Star(star.start, star.end))
        elif not self.at_op(")"):
            args.append(self.expr())
            while self.at_op(","):
                self.advance()
                args.append(self.expr())
        end = self.expect_op(")").end
        return Call(name.start, end, name.text, tuple(args))


def parse(text: str) -> Query:
    """The syntax tree of a query; raises QueryError for anything it cannot read."""
    try:
        return Parser(text).query()
    except QueryError:
        raise
    except RecursionError:
        raise QueryError("the query nests too deeply", 0, len(text)) from None
