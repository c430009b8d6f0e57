"""The importer's knowledge of people is one index, updated with each file's people
(issue 13): the next file is parsed knowing them, and learning them costs time in
proportion to them, not to everyone the newsroom knows."""

from __future__ import annotations

import pytest

from articles.importing import CREATED, Importer
from extraction import WorldIndex
from people.models import Person

pytestmark = pytest.mark.django_db

STORY = (
    "Dancer thanks her partner\n\n"
    'Rose Ayling-Ellis thanked Giovanni Pernice. "It was a dream," Rose said.\n\n'
    '"We did it," Giovanni added.\n'
)


def test_each_file_adds_only_its_people_to_the_one_index(tmp_path, monkeypatch):
    """Fifty people already known: importing a story naming two adds those two (with their
    aliases) to the same index; the next file's parse links to them."""
    for n in range(50):
        Person.objects.create(name=f"Anna Qabton{n}")
    importer = Importer()
    world = importer.world
    assert isinstance(world, WorldIndex)
    assert len(world) == 50
    added = []
    add = WorldIndex.add

    def counting_add(self, person):
        added.append(person.name)
        add(self, person)

    monkeypatch.setattr(WorldIndex, "add", counting_add)

    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    first = importer.import_path(tmp_path / "a.txt")
    assert first.status == CREATED and first.people_created == 2
    assert importer.world is world
    # Each is learnt twice: as parsed (under a provisional key, for the next stories of
    # the batch) and as saved (under their id, with their stored aliases); the provisional
    # entries are then forgotten.
    assert sorted(added) == ["Giovanni Pernice"] * 2 + ["Rose Ayling-Ellis"] * 2
    assert len(world) == 52
    rose = world.person(world.known_full["rose ayling-ellis"])
    assert "Rose" in rose.aliases

    (tmp_path / "b.txt").write_text(STORY.replace("a dream", "magic"), encoding="utf-8")
    second = importer.import_path(tmp_path / "b.txt")
    assert second.status == CREATED and second.people_created == 0
    assert Person.objects.count() == 52
