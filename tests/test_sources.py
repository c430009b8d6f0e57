"""Source keys and the revision test of ``articles.sources`` (issue 11), without a database."""

import pytest

from articles.sources import (
    REVISION_MIN_SIMILARITY,
    collect_sources,
    is_revision,
    revision_similarity,
)
from tests.conftest import SEEDS_DIR


def test_keys_are_paths_inside_the_folder_named_with_its_name(tmp_path):
    """Folder files are keyed by the folder's name and their path inside it, with "/"; a
    file named directly by its name; --source prefixes both. Order follows the paths."""
    for folder in ("feedA/2024-05-01", "feedA", "feedB"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "story.txt").write_text("x")
    (tmp_path / "feedA" / "notes.md").write_text("not a story")
    direct = tmp_path / "feedB" / "story.txt"
    paths = [tmp_path / "feedA", tmp_path / "feedB", direct]
    assert [s.key for s in collect_sources(paths)] == [
        "feedA/2024-05-01/story.txt",
        "feedA/story.txt",
        "feedB/story.txt",
        "story.txt",
    ]
    assert [s.key for s in collect_sources([tmp_path / "feedB", direct], source="reuters")] == [
        "reuters:feedB/story.txt",
        "reuters:story.txt",
    ]


@pytest.mark.parametrize("source", ["a/b", "a:b", " x", "-x", "x" * 41])
def test_a_source_name_that_could_be_read_as_a_path_is_refused(tmp_path, source):
    with pytest.raises(ValueError, match="source name"):
        collect_sources([tmp_path], source=source)


def test_revisions_score_high_and_different_stories_low():
    """A sentence rewritten, paragraphs added or cut: a revision. Two different seed
    stories (the same people, the same show, one desk): not."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]
    story = seeds[0]
    sentences = story.split(". ")
    rewritten = ". ".join([*sentences[:3], "Nobody had expected any of this", *sentences[4:]])
    assert is_revision(story, rewritten)[0]
    assert is_revision(story, story + "\n\nCorrection: an earlier version misspelt a name.")[0]
    assert is_revision(story, story[: len(story) // 2])[0]
    for other in seeds[1:]:
        revision, similarity = is_revision(story, other)
        assert not revision and similarity < REVISION_MIN_SIMILARITY / 2


def test_similarity_ignores_case_spacing_and_punctuation():
    assert revision_similarity("The Bridge  opened, on Friday!", "the bridge opened on friday") == 1
    assert revision_similarity("", "") == 1 and revision_similarity("a b", "") == 0
