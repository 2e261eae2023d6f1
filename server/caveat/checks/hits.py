"""What a check returns: a finding id with its evidence, before the catalogue dresses it.

A check fills the catalogue's ``{fields}`` with what the message holds (addresses, names,
accounts) and, now and then, with words of its own ("a free-mail mailbox", "colleague").
Those words are :class:`Phrase` values, made by :class:`Words` declared where the check
is defined (:mod:`caveat.mail.words`, re-exported here): English text like any other value,
which also knows its gettext context and its inner values, so that
:mod:`caveat.engine.localise` words it again in the reader's language. A :class:`Listed`
value is a list the reader's language joins ("A, B and C"). Evidence labels of Caveat's own
("Known as", "Request"), unlike header names, are declared with :func:`label` and worded
again the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from caveat.mail.facts import Facts
from caveat.mail.words import LABELS, PHRASES, Listed, Phrase, Words, fill, label, listed, words

from .findings import Evidence

__all__ = [
    "LABELS",
    "PHRASES",
    "CheckFn",
    "Hit",
    "Listed",
    "Phrase",
    "Words",
    "check",
    "ev",
    "fill",
    "label",
    "listed",
    "words",
]


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    evidence: tuple[Evidence, ...] = ()
    #: values for the ``{fields}`` of the catalogue's explanation text
    params: Mapping[str, Any] = field(default_factory=dict)


def ev(header: str, value: str) -> Evidence:
    return Evidence(header, value)


class CheckFn:
    """A registered check: a pure function ``(facts, context) -> hits`` and what it emits."""

    def __init__(
        self,
        family: str,
        emits: Iterable[str],
        fn: Callable[..., Iterable[Hit]],
        prepare: Callable[[], object] | None = None,
    ) -> None:
        self.family = family
        self.emits = frozenset(emits)
        self.fn = fn
        self.name = fn.__module__.rsplit(".", 1)[-1]
        #: loads and validates the check's data once, when an engine is built, so that a
        #: broken data file stops start-up instead of failing the first message
        self.prepare = prepare

    def __call__(self, facts: Facts, ctx: Any) -> Iterable[Hit]:
        return self.fn(facts, ctx)


def check(
    family: str, emits: Iterable[str], prepare: Callable[[], object] | None = None
) -> Callable[[Callable[..., Iterable[Hit]]], CheckFn]:
    """Decorator that declares a check's family, the finding ids it can emit and what it
    loads before the first message."""

    def wrap(fn: Callable[..., Iterable[Hit]]) -> CheckFn:
        return CheckFn(family, emits, fn, prepare)

    return wrap
