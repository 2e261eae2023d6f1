"""The people directory as the checks read it: the organisation's own employees and
executives, indexed by address and by folded name (:func:`caveat.mail.names.name_key`).

Built from the stored directory (:mod:`caveat.storage.people`) or a CSV
(:mod:`caveat.knowledge.people_csv`); read-only, shared by every request of a process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caveat.mail.names import name_key

from .people_csv import PersonRecord


@dataclass(frozen=True, slots=True)
class Employee:
    """One person of the directory, as a check sees them."""

    name: str
    email: str
    emails: frozenset[str]
    personal_emails: frozenset[str]
    title: str
    department: str
    group: str
    executive: bool

    def owns(self, address: str) -> bool:
        return address in self.emails or address in self.personal_emails


class People:
    """The people directory, indexed."""

    def __init__(self, records: Iterable[PersonRecord] = ()) -> None:
        self._by_address: dict[str, Employee] = {}
        self._by_name: dict[str, tuple[Employee, ...]] = {}
        names: dict[str, list[Employee]] = {}
        count = 0
        for r in records:
            e = Employee(
                name=r.name,
                email=r.email,
                emails=frozenset(r.emails),
                personal_emails=frozenset(r.personal_emails),
                title=r.title,
                department=r.department,
                group=r.group,
                executive=r.executive,
            )
            count += 1
            for a in (*r.emails, *r.personal_emails):
                self._by_address.setdefault(a, e)
            key = name_key(r.name)
            if key:
                names.setdefault(key, []).append(e)
        self._by_name = {k: tuple(v) for k, v in names.items()}
        self._count = count

    def __len__(self) -> int:
        return self._count

    def by_address(self, address: str) -> Employee | None:
        return self._by_address.get(address)

    def named(self, key: str) -> tuple[Employee, ...]:
        """Everyone whose name folds to ``key``."""
        return self._by_name.get(key, ())


EMPTY_PEOPLE = People()
