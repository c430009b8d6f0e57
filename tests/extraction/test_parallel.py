"""Stories parsed in worker processes are the stories parsed in turn (issue 13)."""

from __future__ import annotations

from pathlib import Path

from extraction import IngestError, KnownPerson, WorldKnowledge, parse_article
from extraction.parallel import StoryParser

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def test_workers_parse_as_one_process_does_and_keep_the_order():
    """Every seed story, with what the newsroom knows, comes back from two workers as
    ``parse_article`` gives it, in order; a story that cannot be read comes back as the
    reason, in its place."""
    world = WorldKnowledge(
        people=(KnownPerson(key=7, name="Rose Ayling-Ellis", aliases=("Rose", "@rose.a.e")),),
        rejected_names=frozenset({"Strictly Come Dancing"}),
    )
    stories = [(path.read_bytes(), path.name) for path in sorted(SEEDS.glob("*.txt"))]
    stories.insert(2, (b"   \n\n  ", "empty.txt"))
    with StoryParser(world, workers=2) as parser:
        results = list(parser.parse(stories, chunksize=2))
    assert len(results) == len(stories)
    for (raw, name), result in zip(stories, results, strict=True):
        if name == "empty.txt":
            assert isinstance(result, IngestError)
            continue
        assert result == parse_article(raw, source_name=name, world=world)
    assert any(p.known_key == 7 for r in results if not isinstance(r, Exception) for p in r.people)
