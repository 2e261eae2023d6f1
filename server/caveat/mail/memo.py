"""One answer kept per message: several checks ask the same question of the message being
analysed, one after another."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

A = TypeVar("A")
R = TypeVar("R")


def last_answer(fn: Callable[[Any, A], R]) -> Callable[[Any, A], R]:
    """``fn(facts, other)`` with its last answer kept, for the same two objects (compared
    by identity: the facts of one message and one configuration or context). The kept
    pair holds a reference to the facts, so their identity cannot be reused meanwhile."""
    last: tuple[Any, Any, R] | None = None

    @wraps(fn)
    def answer(facts: Any, other: A) -> R:
        nonlocal last
        kept = last
        if kept is not None and kept[0] is facts and kept[1] is other:
            return kept[2]
        found = fn(facts, other)
        last = (facts, other, found)
        return found

    return answer
