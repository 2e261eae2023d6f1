"""What a check returns: a finding id with its evidence, before the catalogue dresses it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from caveat.mail.facts import Facts

from .findings import Evidence


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
