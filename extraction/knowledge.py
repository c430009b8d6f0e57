"""What the newsroom knows, indexed once for the pipeline and kept current person by person.

The pipeline looks every capitalised name of an article up among the names and aliases of
the people the newsroom already knows. Building those lookups from a ``WorldKnowledge`` for
every article cost time in proportion to the people known (3 ms per article with none,
78 ms with 50,000: issue 13). A ``WorldIndex`` builds them once; the importer then adds
the people each file names (``update``), in time proportional to those people only.

For the same people in the same order, an index built from scratch and one updated person
by person give the same lookups, so extraction gives the same result either way.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable

from .people import _is_full_name
from .types import KnownPerson, WorldKnowledge


class WorldIndex:
    """A ``WorldKnowledge`` with its lookups built: pass it to ``parse_article`` as
    ``world=``, and ``update`` it with the people each imported file named.

    People are identified by ``KnownPerson.key``: a person updated again keeps their place
    (the earlier known person wins a name two people share, as in a ``WorldKnowledge``)
    and their new name and aliases replace the old ones.
    """

    def __init__(self, world: WorldKnowledge = WorldKnowledge()) -> None:  # noqa: B008 (frozen)
        self.set_rejected_names(world.rejected_names)  # ``rejected``: lower-cased
        self._people: list[KnownPerson] = []  # in the order they became known
        self._place: dict[Hashable, int] = {}  # key -> index into _people
        # Each lower-cased name or alias -> the places of the people known by it, in order:
        # the first is the person the name links to.
        self._holders: dict[str, list[int]] = {}
        self.known: dict[str, int] = {}  # lower-cased form -> place of its person
        # The forms that link to a person by themselves: full names and social handles (a
        # first name, a surname or "Mr Adams" must meet the full name in the article).
        self.known_full: dict[str, int] = {}
        self.update(world.people)

    @classmethod
    def of(cls, world: WorldKnowledge | WorldIndex) -> WorldIndex:
        """``world`` itself when it is an index, else an index built from it."""
        return world if isinstance(world, WorldIndex) else cls(world)

    def __len__(self) -> int:
        return len(self._place)

    @property
    def people(self) -> tuple[KnownPerson, ...]:
        """The people known, in the order they became known (a copy: O(people))."""
        if len(self._place) == len(self._people):
            return tuple(self._people)
        return tuple(self._people[place] for place in sorted(self._place.values()))

    def snapshot(self) -> WorldKnowledge:
        """The same knowledge as plain data (for another process or a fresh index)."""
        return WorldKnowledge(people=self.people, rejected_names=self.rejected_names)

    def person(self, place: int) -> KnownPerson:
        """The person at a place the lookups (``known``, ``known_full``) gave."""
        return self._people[place]

    def known_keys(self) -> list[Hashable]:
        """The keys of the people known."""
        return list(self._place)

    def set_rejected_names(self, names: frozenset[str]) -> None:
        """Replace the names never taken for people (``WorldKnowledge.rejected_names``)."""
        self.rejected_names = names
        self.rejected = frozenset(name.lower() for name in names)

    def get(self, key: Hashable) -> KnownPerson | None:
        """The person known under ``key``, if any."""
        place = self._place.get(key)
        return None if place is None else self._people[place]

    def forget(self, keys: Iterable[Hashable]) -> None:
        """Stop knowing the people under ``keys`` (their forms pass to the next holders).
        Their places stay taken, unused, so that the others' places do not move."""
        for key in keys:
            place = self._place.pop(key, None)
            if place is None:
                continue
            for form in _forms(self._people[place]):
                self._drop(form, place)

    def update(self, people: Iterable[KnownPerson]) -> None:
        """Add people, or replace the name and aliases of people already known."""
        for person in people:
            self.add(person)

    def add(self, person: KnownPerson) -> None:
        """Add one person, or replace the name and aliases of the one with the same key."""
        place = self._place.get(person.key)
        if place is None:
            # A new person comes last: their place goes at the end of every list of holders.
            place = self._place[person.key] = len(self._people)
            self._people.append(person)
            for form in _forms(person):
                holders = self._holders.get(form)
                if holders is None:
                    self._holders[form] = [place]
                    self._link(form, place)
                else:
                    holders.append(place)
            return
        old_forms = _forms(self._people[place])
        self._people[place] = person
        new_forms = _forms(person)
        for form in old_forms - new_forms:
            self._drop(form, place)
        for form in new_forms - old_forms:
            self._hold(form, place)

    def _hold(self, form: str, place: int) -> None:
        holders = self._holders.setdefault(form, [])
        bisect.insort(holders, place)
        if holders[0] == place:
            self._link(form, place)

    def _drop(self, form: str, place: int) -> None:
        holders = self._holders[form]
        first = holders[0] == place
        holders.remove(place)
        if not holders:
            del self._holders[form]
            del self.known[form]
            self.known_full.pop(form, None)
        elif first:
            self._link(form, holders[0])

    def _link(self, form: str, place: int) -> None:
        # Whether a form is a full name never changes: worked out when it is first known.
        if form in self.known_full or (form not in self.known and _is_full_name(form)):
            self.known_full[form] = place
        self.known[form] = place


def _forms(person: KnownPerson) -> set[str]:
    forms = {form.lower() for form in person.aliases}
    forms.add(person.name.lower())
    return forms
