"""The five seed articles meet the extraction bar against their hand annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction import parse_article
from tests.extraction.corpus.check import check, load

SEEDS = sorted((Path(__file__).parent / "corpus" / "seeds").glob("*.json"))


@pytest.mark.parametrize("ann_path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_meets_annotation(ann_path: Path) -> None:
    """Every quote, speaker, person and listed event of the seed is extracted."""
    raw, ann = load(ann_path)
    article = parse_article(raw, source_name=ann["file"])
    assert check(article, ann) == []


def test_all_five_seeds_annotated() -> None:
    """Each seed file in fixtures/seeds has an annotation."""
    assert len(SEEDS) == 5
