"""CloudWatch Logs filter patterns for unstructured text and JSON log events.

Supported, as the Filter and Pattern Syntax page describes them:
- terms: ``ERROR timeout`` (all must occur, case-sensitive), ``"exact phrase"``,
  ``?ERROR ?WARN`` (any of them), ``-DEBUG`` (must not occur);
- regular expressions: ``%Task timed out%``;
- JSON patterns: ``{ $.level = "ERROR" }``, ``{ $.metrics.durationMs > 1000 }``,
  with ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``*`` wildcards in strings,
  ``IS NULL`` / ``NOT EXISTS``, ``&&``, ``||`` and parentheses.
Space-delimited (``[ip, user, ...]``) patterns match every event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], bool]

_TOKEN = re.compile(r'\s*(?:(?P<quoted>[?-]?"(?:[^"\\]|\\.)*")|(?P<bare>\S+))')
_JSON_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<word>[^\s()&|!=<>]+)
    )""",
    re.VERBOSE,
)
_MISSING = object()


class PatternError(ValueError):
    """The pattern cannot be parsed."""


def compile_pattern(pattern: str | None) -> Matcher:
    """A predicate telling whether a log event's message matches ``pattern``."""
    text = (pattern or "").strip()
    if not text:
        return _always
    if text.startswith("%") and text.endswith("%") and len(text) >= 2:
        try:
            expression = re.compile(text[1:-1])
        except re.error as error:
            raise PatternError(f"Invalid regular expression: {error}") from None
        return lambda message: expression.search(message) is not None
    if text.startswith("{"):
        if not text.endswith("}"):
            raise PatternError("A JSON filter pattern must end with }.")
        return _json_matcher(text[1:-1])
    if text.startswith("["):
        return _always
    return _terms_matcher(text)


def _always(message: str) -> bool:
    return True


def _terms_matcher(text: str) -> Matcher:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group("quoted") or match.group("bare")
        if not token:
            continue
        target = required
        if token[0] == "?":
            target, token = optional, token[1:]
        elif token[0] == "-" and len(token) > 1:
            target, token = excluded, token[1:]
        if token.startswith('"') and token.endswith('"') and len(token) >= 2:
            token = token[1:-1].replace('\\"', '"')
        if token:
            target.append(token)

    def matches(message: str) -> bool:
        if any(term not in message for term in required):
            return False
        if any(term in message for term in excluded):
            return False
        return not optional or any(term in message for term in optional)

    return matches


def _json_matcher(body: str) -> Matcher:
    tokens = [
        (kind, value)
        for match in _JSON_TOKEN.finditer(body)
        for kind, value in match.groupdict().items()
        if value is not None
    ]
    parser = _JsonParser(tokens)
    test = parser.parse()

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
            raise PatternError("The JSON filter pattern ends too early.")
        self.at += 1
        return token

    def parse(self) -> Callable[[Any], bool]:
        test = self.disjunction()
        if self.peek() is not None:
            raise PatternError(f"Unexpected {self.peek()[1]!r} in the JSON filter pattern.")  # type: ignore[index]
        return test

    def disjunction(self) -> Callable[[Any], bool]:
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Callable[[Any], bool]:
        left = self.term()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.term()
            left = _both(left, right)
        return left

    def term(self) -> Callable[[Any], bool]:
        kind, value = self.take()
        if (kind, value) == ("op", "("):
            inner = self.disjunction()
            if self.take() != ("op", ")"):
                raise PatternError("Missing ) in the JSON filter pattern.")
            return inner
        if kind != "word" or not value.startswith("$"):
            raise PatternError(f"Expected a $.selector, found {value!r}.")
        path = _selector(value)
        following = self.peek()
        if following is not None and following[0] == "word" and following[1] in ("IS", "NOT"):
            words = [self.take()[1]]
            while self.peek() is not None and self.peek()[0] == "word":  # type: ignore[index]
                if self.peek()[1] not in ("NULL", "EXISTS", "TRUE", "FALSE"):  # type: ignore[index]
                    break
                words.append(self.take()[1])
            return _predicate(path, " ".join(words))
        op_kind, op = self.take()
        if op_kind != "op" or op not in ("=", "!=", "<", "<=", ">", ">="):
            raise PatternError(f"Expected a comparison after {value}.")
        value_kind, raw = self.take()
        return _comparison(path, op, value_kind, raw)


def _either(left: Callable[[Any], bool], right: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda document: left(document) or right(document)


def _both(left: Callable[[Any], bool], right: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda document: left(document) and right(document)


def _selector(text: str) -> list[str | int]:
    path: list[str | int] = []
    for part in re.finditer(r"\.([^.\[\]]+)|\[(\d+)\]", text[1:]):
        path.append(part.group(1) if part.group(1) is not None else int(part.group(2)))
    return path


def _lookup(document: Any, path: list[str | int]) -> Any:
    current = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return _MISSING
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return _MISSING
            current = current[step]
    return current


def _predicate(path: list[str | int], words: str) -> Callable[[Any], bool]:
    checks: dict[str, Callable[[Any], bool]] = {
        "IS NULL": lambda value: value is None,
        "NOT EXISTS": lambda value: value is _MISSING,
        "IS TRUE": lambda value: value is True,
        "IS FALSE": lambda value: value is False,
    }
    check = checks.get(words)
    if check is None:
        raise PatternError(f"Unknown test {words!r} in the JSON filter pattern.")
    return lambda document: check(_lookup(document, path))


def _comparison(path: list[str | int], op: str, kind: str, raw: str) -> Callable[[Any], bool]:
    if kind == "string":
        text = raw[1:-1].replace('\\"', '"')
        if op not in ("=", "!="):
            raise PatternError("Strings can only be compared with = or !=.")
        expression = re.compile("^" + ".*".join(re.escape(part) for part in text.split("*")) + "$")

        def string_test(document: Any) -> bool:
            value = _lookup(document, path)
            if value is _MISSING:
                return False
            found = isinstance(value, str) and expression.match(value) is not None
            return found if op == "=" else not found

        return string_test
    try:
        number = float(raw)
    except ValueError:
        if op not in ("=", "!="):
            raise PatternError(f"{raw!r} is not a number.") from None
        return _comparison(path, op, "string", f'"{raw}"')

    def number_test(document: Any) -> bool:
        value = _lookup(document, path)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return op == "!=" and value is not _MISSING
        return {
            "=": value == number,
            "!=": value != number,
            "<": value < number,
            "<=": value <= number,
            ">": value > number,
            ">=": value >= number,
        }[op]

    return number_test
