"""House-style test articles written for the extractor (tests/extraction/corpus) meet the bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction import parse_article
from tests.extraction.corpus.check import check, load

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.json"))


@pytest.mark.parametrize("ann_path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_article_meets_annotation(ann_path: Path) -> None:
    """Quotes with speakers, people and dated events match the hand annotation."""
    raw, ann = load(ann_path)
    article = parse_article(raw, source_name=ann_path.with_suffix(".txt").name)
    assert check(article, ann) == []


def test_corpus_has_at_least_ten_articles() -> None:
    """The corpus covers at least ten articles beyond the seeds."""
    assert len(CORPUS) >= 10
