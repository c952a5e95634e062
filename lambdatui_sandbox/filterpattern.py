"""CloudWatch Logs filter patterns, the one implementation FilterLogEvents and Live Tail use.

Supported, as the Filter Pattern Syntax page describes them:
- terms: ``ERROR timeout`` (all must occur, case-sensitive), ``"exact phrase"``,
  ``?ERROR ?WARN`` (any of them), ``-DEBUG`` (must not occur); a term with characters
  other than letters, digits, underscores and inner hyphens must be quoted;
- regular expressions: ``%Task timed out%`` (letters, digits, spaces, the symbols
  ``: _ # = @ / ; , -`` and the operators ``^ $ ? [ ] { } | \\ * + .``; no parentheses);
- JSON patterns: ``{ $.level = "ERROR" }``, ``{ $.metrics.durationMs > 1000 }``,
  with ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``*`` wildcards in strings,
  ``%regex%`` values, ``IS NULL`` / ``NOT EXISTS`` / ``IS TRUE`` / ``IS FALSE``,
  ``&&``, ``||`` and parentheses;
- space-delimited patterns: ``[ip, user, ..., status = 5*, bytes > 1000]``, where a
  quoted or bracketed part of the line is one field and ``...`` stands for any number
  of fields.

A pattern that cannot be parsed raises PatternError; callers answer it as AWS does,
with InvalidParameterException.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], bool]
Test = Callable[[Any], bool]

MAX_LENGTH = 1024

_TERM = re.compile(r'\s*([?-]?)("(?:[^"\\]|\\.)*"|\S+)')
_BARE_TERM = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
_REGEX_CHARS = re.compile(r"^[A-Za-z0-9 _#=@/;,:\-^$?\[\]{}|\\*+.]*$")
_JSON_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<regex>%[^%]*%)
      | (?P<word>[^\s()&|!=<>]+)
    )""",
    re.VERBOSE,
)
_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')
_CONDITION = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>!=|<=|>=|=|<|>)\s*
        (?P<value>"(?:[^"\\]|\\.)*"|%[^%]*%|[^\s"%]+)\s*$""",
    re.VERBOSE,
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_MISSING = object()


class PatternError(ValueError):
    """The pattern cannot be parsed (the sentence says why, in CloudWatch's words)."""


def compile_pattern(pattern: str | None) -> Matcher:
    """A predicate telling whether a log event's message matches ``pattern``."""
    text = (pattern or "").strip()
    if not text:
        return _always
    if text.startswith("{"):
        if not text.endswith("}"):
            raise PatternError("If a filter pattern starts with '{' it must end with '}'")
        return _json_matcher(text[1:-1])
    if text.startswith("["):
        if not text.endswith("]"):
            raise PatternError("If a filter pattern starts with '[' it must end with ']'")
        return _delimited_matcher(text[1:-1])
    if len(text) >= 2 and text.startswith("%") and text.endswith("%"):
        expression = _regex(text[1:-1])
        return lambda message: expression.search(message) is not None
    return _terms_matcher(text)


def _always(message: str) -> bool:
    return True


def _regex(body: str) -> re.Pattern[str]:
    if not body:
        raise PatternError("A regular expression between % and % cannot be empty")
    if "(" in body or ")" in body:
        raise PatternError("The ( and ) operators are not supported in regular expressions")
    if not _REGEX_CHARS.match(body):
        bad = "".join(sorted({c for c in body if not _REGEX_CHARS.match(c)}))
        raise PatternError(f"Invalid character(s) in regular expression '{bad}'")
    try:
        return re.compile(body)
    except re.error as error:
        raise PatternError(f"Invalid regular expression: {error}") from None


def _unquote(token: str) -> str:
    return token[1:-1].replace('\\"', '"').replace("\\\\", "\\")


# Terms.


def _terms_matcher(text: str) -> Matcher:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    for match in _TERM.finditer(text):
        prefix, token = match.groups()
        target = {"?": optional, "-": excluded}.get(prefix, required)
        if len(token) >= 2 and token.startswith('"') and token.endswith('"'):
            term = _unquote(token)
            if not term:
                raise PatternError(f"Invalid character(s) in term '{token}'")
        elif _BARE_TERM.match(token):
            term = token
        else:
            raise PatternError(f"Invalid character(s) in term '{token}'")
        target.append(term)

    def matches(message: str) -> bool:
        if any(term not in message for term in required):
            return False
        if any(term in message for term in excluded):
            return False
        return not optional or any(term in message for term in optional)

    return matches


# JSON patterns.


def _json_matcher(body: str) -> Matcher:
    tokens = [
        (kind, value)
        for match in _JSON_TOKEN.finditer(body)
        for kind, value in match.groupdict().items()
        if value is not None
    ]
    if re.sub(r"\s", "", "".join(value for _, value in tokens)) != re.sub(r"\s", "", body):
        raise PatternError("Invalid character(s) in the JSON filter pattern")
    test = _JsonParser(tokens).parse()

    def matches(message: str) -> bool:
        start = message.find("{")
        if start < 0:
            return False
        try:
            document = json.loads(message[start:])
        except ValueError:
            return False
        return isinstance(document, (dict, list)) and test(document)

    return matches


class _JsonParser:
    """Recursive descent over ``expr := term (("&&" | "||") term)*``."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise PatternError("The JSON filter pattern ends too early")
        self.at += 1
        return token

    def parse(self) -> Test:
        if not self.tokens:
            raise PatternError("A JSON filter pattern needs at least one condition")
        test = self.disjunction()
        extra = self.peek()
        if extra is not None:
            raise PatternError(f"Unexpected {extra[1]!r} in the JSON filter pattern")
        return test

    def disjunction(self) -> Test:
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            left = _either(left, self.conjunction())
        return left

    def conjunction(self) -> Test:
        left = self.term()
        while self.peek() == ("op", "&&"):
            self.take()
            left = _both(left, self.term())
        return left

    def term(self) -> Test:
        kind, value = self.take()
        if (kind, value) == ("op", "("):
            inner = self.disjunction()
            if self.take() != ("op", ")"):
                raise PatternError("Missing ) in the JSON filter pattern")
            return inner
        if kind != "word" or not value.startswith("$"):
            raise PatternError(f"Expected a $.selector, found {value!r}")
        path = _selector(value)
        words: list[str] = []
        while (following := self.peek()) is not None and following[0] == "word":
            if following[1] not in ("IS", "NOT", "NULL", "EXISTS", "TRUE", "FALSE"):
                break
            words.append(self.take()[1])
        if words:
            return _predicate(path, " ".join(words))
        op_kind, op = self.take()
        if op_kind != "op" or op not in _COMPARISONS:
            raise PatternError(f"Expected a comparison after {value}")
        value_kind, raw = self.take()
        if value_kind == "op":
            raise PatternError(f"Expected a value after {value} {op}")
        return _lookup_test(path, _value_test(op, value_kind, raw, numeric_text=False))


def _either(left: Test, right: Test) -> Test:
    return lambda document: left(document) or right(document)


def _both(left: Test, right: Test) -> Test:
    return lambda document: left(document) and right(document)


def _selector(text: str) -> list[str | int]:
    rest = text[1:]
    parts = list(re.finditer(r"\.([^.\[\]]+)|\[(\d+)\]", rest))
    if "".join(part.group(0) for part in parts) != rest:
        raise PatternError(f"Invalid selector {text!r} in the JSON filter pattern")
    return [part.group(1) if part.group(1) is not None else int(part.group(2)) for part in parts]


def _lookup(document: Any, path: list[str | int]) -> Any:
    current = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return _MISSING
        elif not isinstance(current, dict) or step not in current:
            return _MISSING
        current = current[step]
    return current


def _lookup_test(path: list[str | int], test: Test) -> Test:
    return lambda document: test(_lookup(document, path))


def _predicate(path: list[str | int], words: str) -> Test:
    checks: dict[str, Test] = {
        "IS NULL": lambda value: value is None,
        "NOT EXISTS": lambda value: value is _MISSING,
        "IS TRUE": lambda value: value is True,
        "IS FALSE": lambda value: value is False,
    }
    check = checks.get(words)
    if check is None:
        raise PatternError(f"Unknown test {words!r} in the JSON filter pattern")
    return _lookup_test(path, check)


# Values, shared by JSON and space-delimited patterns: a test of one found value
# (``_MISSING`` when the selector or field is absent).


def _value_test(op: str, kind: str, raw: str, *, numeric_text: bool) -> Test:
    """``numeric_text``: text that reads as a number compares as one (delimited fields)."""
    if kind == "regex":
        if op not in ("=", "!="):
            raise PatternError("Regular expressions can only be compared with = or !=")
        expression = _regex(raw[1:-1])
        return _string_test(op, lambda text: expression.search(text) is not None)
    if kind == "string":
        text = _unquote(raw)
    else:
        try:
            return _number_test(op, float(raw), numeric_text)
        except ValueError:
            text = raw
    if op not in ("=", "!="):
        raise PatternError(f"{raw!r} is not a number; strings can only be compared with = or !=")
    wildcard = re.compile("^" + ".*".join(re.escape(part) for part in text.split("*")) + "$")
    return _string_test(op, lambda value: wildcard.match(value) is not None)


def _string_test(op: str, found: Callable[[str], bool]) -> Test:
    def test(value: Any) -> bool:
        if value is _MISSING:
            return False
        hit = isinstance(value, str) and found(value)
        return hit if op == "=" else not hit

    return test


def _number_test(op: str, number: float, numeric_text: bool) -> Test:
    compare: Callable[[float], bool] = {
        "=": lambda value: value == number,
        "!=": lambda value: value != number,
        "<": lambda value: value < number,
        "<=": lambda value: value <= number,
        ">": lambda value: value > number,
        ">=": lambda value: value >= number,
    }[op]

    def test(value: Any) -> bool:
        if numeric_text and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return op == "!="
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return op == "!=" and value is not _MISSING
        return compare(value)

    return test


# Space-delimited patterns.


def _delimited_matcher(body: str) -> Matcher:
    slots: list[str | None] = []  # a field name, or None for "..."
    conditions: list[tuple[str, Test]] = []
    for part in _split_fields(body):
        if part == "...":
            slots.append(None)
            continue
        alternatives = [_field_condition(text) for text in re.split(r"\s*\|\|\s*", part)]
        names = {name for name, _ in alternatives if name}
        if len(names) > 1:
            raise PatternError(f"Conditions joined by || must test one field: {part!r}")
        name = next(iter(names)) if names else part.strip()
        if not _NAME.match(name):
            raise PatternError(f"Invalid field {part!r} in the space-delimited filter pattern")
        slots.append(name)
        tests = [test for _, test in alternatives if test is not None]
        if tests:
            conditions.append((name, _any_of(tests)))
    if not slots:
        raise PatternError("A space-delimited filter pattern needs at least one field")

    def matches(message: str) -> bool:
        fields = [_field_value(token) for token in _FIELD.findall(message)]
        return any(
            all(test(bound.get(name, _MISSING)) for name, test in conditions)
            for bound in _alignments(slots, fields)
        )

    return matches


def _any_of(tests: list[Test]) -> Test:
    return lambda value: any(test(value) for test in tests)


def _split_fields(body: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in body:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if quoted:
        raise PatternError("A quoted value in the space-delimited filter pattern is not closed")
    parts.append("".join(current).strip())
    if any(not part for part in parts):
        raise PatternError("An empty field in the space-delimited filter pattern")
    return parts


def _field_condition(text: str) -> tuple[str | None, Test | None]:
    if "&&" in text:
        raise PatternError("Use one condition per field in a space-delimited filter pattern")
    if not any(op in text for op in _COMPARISONS):
        return None, None
    match = _CONDITION.match(text)
    if match is None:
        raise PatternError(f"Invalid condition {text.strip()!r} in the filter pattern")
    raw = match.group("value")
    kind = "string" if raw.startswith('"') else "regex" if raw.startswith("%") else "word"
    return match.group("name"), _value_test(match.group("op"), kind, raw, numeric_text=True)


def _field_value(token: str) -> str:
    if len(token) >= 2 and token[0] + token[-1] in ('""', "[]"):
        return token[1:-1]
    return token


def _alignments(slots: list[str | None], fields: list[str]) -> list[dict[str, str]]:
    """Every way the pattern's fields line up with the line's (``...`` takes any number)."""
    found: list[dict[str, str]] = []

    def walk(slot: int, field: int, bound: dict[str, str]) -> None:
        if len(found) >= 64:
            return
        if slot == len(slots):
            if field == len(fields):
                found.append(bound)
            return
        name = slots[slot]
        if name is None:
            for skip in range(len(fields) - field + 1):
                walk(slot + 1, field + skip, bound)
            return
        if field < len(fields):
            walk(slot + 1, field + 1, {**bound, name: fields[field]})

    walk(0, 0, {})
    return found
