"""SCORM 1.2 ``adlcp:prerequisites`` (CAM 1.2 §2.3.2.4, AICC CMI001 script syntax).

An item may be entered when its prerequisite expression holds over the lesson
statuses of the other items: an identifier alone holds when that item is passed or
completed; ``id=status`` / ``id<>status`` compare a status (full word or its first
letter); ``~`` negates, ``&`` and ``|`` combine (``&`` binds tighter), parentheses
group, and ``n*{a,b,c}`` holds when at least ``n`` members hold.
"""

import re
from collections.abc import Mapping

from . import vocab as v

_TOKEN = re.compile(r"\s*(<>|[&|~=(){},*]|[^\s&|~=<>(){},*]+)")
_STATUS = {status[0]: status for status in v.LESSON_STATUS_12}
_DONE = (v.STATUS_PASSED, v.STATUS_COMPLETED)
_OPERATORS = {"&", "|", "=", "<>", ")", "{", "}", ",", "*"}


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    expression = expression.rstrip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ValueError(f"bad prerequisite at {position}: {expression!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, expression: str, statuses: Mapping[str, str]) -> None:
        self.tokens = _tokens(expression)
        self.position = 0
        self.statuses = statuses

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise ValueError(f"prerequisite: expected {expected or 'a term'}")
        self.position += 1
        return token

    def expression(self) -> bool:
        value = self.term()
        while self.peek() == "|":
            self.take("|")
            value = self.term() or value
        return value

    def term(self) -> bool:
        value = self.factor()
        while self.peek() == "&":
            self.take("&")
            value = self.factor() and value
        return value

    def factor(self) -> bool:
        symbol = self.take()
        if symbol == "~":
            return not self.factor()
        if symbol == "(":
            value = self.expression()
            self.take(")")
            return value
        if symbol.isdigit() and self.peek() == "*":
            return self.set_of(int(symbol))
        if symbol in _OPERATORS:
            raise ValueError(f"prerequisite: unexpected {symbol!r}")
        return self.comparison(symbol)

    def set_of(self, needed: int) -> bool:
        self.take("*")
        self.take("{")
        members = [self.expression()]
        while self.peek() == ",":
            self.take(",")
            members.append(self.expression())
        self.take("}")
        return sum(members) >= needed

    def comparison(self, identifier: str) -> bool:
        status = self.statuses.get(identifier, v.STATUS_NOT_ATTEMPTED)
        if self.peek() not in ("=", "<>"):
            return status in _DONE
        operator = self.take()
        word = self.take().lower()
        if self.peek() == "attempted" and word == "not":
            word = "not " + self.take()
        wanted = _STATUS.get(word, word)
        if wanted not in v.LESSON_STATUS_12:
            raise ValueError(f"prerequisite: unknown status {word!r}")
        return (status == wanted) == (operator == "=")


def prerequisites_met(expression: str, statuses: Mapping[str, str]) -> bool:
    """Evaluate an ``adlcp:prerequisites`` expression.

    Args:
        expression: the aicc_script text from the manifest (empty: no prerequisite).
        statuses: item identifier -> cmi.core.lesson_status of that item's SCO;
            absent items count as "not attempted".

    Returns:
        Whether the item may be launched.

    Raises:
        ValueError: for a malformed expression.
    """
    if expression.strip() == "":
        return True
    parser = _Parser(expression, statuses)
    value = parser.expression()
    if parser.peek() is not None:
        raise ValueError(f"prerequisite: unexpected {parser.peek()!r}")
    return value
