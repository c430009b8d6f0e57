"""The index of known people, built once and updated person by person (issue 13).

An index updated in place must give exactly the lookups, and so the extraction results,
that an index built from scratch on the same knowledge gives. Its cost is measured by
``bench/bench_pipeline.py --known``, not here.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from extraction import KnownPerson, WorldIndex, WorldKnowledge, parse_article
from extraction.people import _is_full_name

CORPUS = Path(__file__).parent / "corpus"
SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def reference_lookups(world: WorldKnowledge) -> tuple[dict[str, object], dict[str, object]]:
    """The lookups as the pipeline built them for every article before the index: each
    lower-cased form to the key of the first person known by it; full names apart."""
    known: dict[str, object] = {}
    for person in world.people:
        for form in (person.name, *person.aliases):
            known.setdefault(form.lower(), person.key)
    return known, {form: key for form, key in known.items() if _is_full_name(form)}


def index_lookups(index: WorldIndex) -> tuple[dict[str, object], dict[str, object]]:
    known = {form: index.person(place).key for form, place in index.known.items()}
    full = {form: index.person(place).key for form, place in index.known_full.items()}
    return known, full


# A few forms, so that people share names and aliases and replace them.
FORMS = st.sampled_from(
    ["Rose Ayling-Ellis", "Rose", "ROSE", "Ayling-Ellis", "Mr Hale", "Tom Hale", "tom hale",
     "@rose.a.e", "Dr Tom Hale", "Giovanni Pernice", "Giovanni", "Sir Elton John", "Elton"]
)  # fmt: skip
PEOPLE = st.builds(
    KnownPerson,
    key=st.integers(0, 6),
    name=FORMS,
    aliases=st.lists(FORMS, max_size=3).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(first=st.lists(PEOPLE, max_size=6), later=st.lists(PEOPLE, max_size=12))
def test_an_updated_index_gives_the_lookups_of_one_built_from_scratch(first, later):
    """Adding people, and new names or aliases of people already known (a replacement, as
    the importer passes them: all their aliases), gives the lookups of a fresh build."""
    index = WorldIndex(WorldKnowledge(people=tuple(first)))
    by_key = {person.key: person for person in first}
    for person in later:
        index.add(person)
        by_key[person.key] = person
        fresh = WorldKnowledge(people=tuple(by_key.values()))
        assert index_lookups(index) == reference_lookups(fresh)
        assert index_lookups(index) == index_lookups(WorldIndex(fresh))
    assert index.people == tuple(by_key.values())
    assert len(index) == len(by_key)


def test_an_alias_added_later_is_found():
    """A full-name alias learnt after the index was built links the next article's
    mention of it to the known person; one dropped since links no more."""
    story = b'Headline here\n\nMary Quinlan-Hart opened the show. "I loved it," she said.'
    index = WorldIndex(WorldKnowledge(people=(KnownPerson(key=9, name="Mary Quinlan"),)))
    before = parse_article(story, source_name="a.txt", world=index)
    assert [(p.name, p.known_key) for p in before.people] == [("Mary Quinlan-Hart", None)]

    index.add(KnownPerson(key=9, name="Mary Quinlan", aliases=("Mary Quinlan-Hart",)))
    after = parse_article(story, source_name="a.txt", world=index)
    assert [(p.name, p.known_key) for p in after.people] == [("Mary Quinlan", 9)]
    assert after.quotes[0].speaker == 0

    index.add(KnownPerson(key=9, name="Mary Quinlan", aliases=()))
    dropped = parse_article(story, source_name="a.txt", world=index)
    assert [(p.name, p.known_key) for p in dropped.people] == [("Mary Quinlan-Hart", None)]


def test_the_first_known_keeps_a_shared_name_whoever_gained_it_first():
    """Two people known by one name: it links to the one known first, as in a
    ``WorldKnowledge``, even when the later one was given the name before."""
    index = WorldIndex(
        WorldKnowledge(people=(KnownPerson(key=1, name="Ann Lee"), KnownPerson(key=2, name="B")))
    )
    index.add(KnownPerson(key=2, name="Ann Lee Barr", aliases=("Ann Lee Jones",)))
    index.add(KnownPerson(key=1, name="Ann Lee", aliases=("Ann Lee Jones",)))
    assert index.person(index.known_full["ann lee jones"]).key == 1
    index.add(KnownPerson(key=1, name="Ann Lee"))
    assert index.person(index.known_full["ann lee jones"]).key == 2


def test_rejected_names_are_kept_and_compared_lower_cased():
    world = WorldKnowledge(rejected_names=frozenset({"Amber Heard"}))
    index = WorldIndex(world)
    assert index.rejected_names == world.rejected_names
    assert index.rejected == frozenset({"amber heard"})
    assert index.snapshot() == world


def test_articles_parse_the_same_with_an_updated_index_as_with_plain_knowledge():
    """Over the test corpus and the seeds, learning each article's people before the next
    (as the importer does): the index updated in place and a ``WorldKnowledge`` rebuilt for
    every article give identical articles."""
    stories = sorted(CORPUS.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    assert len(stories) > 20
    rejected = frozenset({"Strictly Come Dancing"})
    index = WorldIndex(WorldKnowledge(rejected_names=rejected))
    by_key: dict[object, KnownPerson] = {}
    linked = 0
    for n, story in enumerate(stories):
        raw = story.read_bytes()
        plain = WorldKnowledge(people=tuple(by_key.values()), rejected_names=rejected)
        expected = parse_article(raw, source_name=story.name, world=plain)
        got = parse_article(raw, source_name=story.name, world=index)
        assert got == expected, story.name
        linked += sum(p.known_key is not None for p in got.people)
        learnt = [
            KnownPerson(
                key=person.known_key if person.known_key is not None else (n, i),
                name=person.name,
                aliases=tuple(person.aliases),
            )
            for i, person in enumerate(got.people)
        ]
        index.update(learnt)
        by_key.update((person.key, person) for person in learnt)
    assert linked  # the knowledge was used, not only carried
