"""`make eval` (bench/eval.py) runs end to end and prints sane figures; no database needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.eval import SCORER, same_person_forms
from extraction import DEFAULT_PUBLISH_MIN_CONFIDENCE

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "bench" / "eval.py"
HOUSE_ARTICLES = len(list((ROOT / "tests/extraction/corpus").glob("*.json"))) + len(
    list((ROOT / "tests/extraction/corpus/seeds").glob("*.json"))
)


def _run(*args: str, tmp_path: Path) -> tuple[str, dict]:
    out = tmp_path / "eval.json"
    done = subprocess.run(
        [sys.executable, str(EVAL), *args, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout, json.loads(out.read_text("utf-8"))


def _tiny_corpus(folder: Path) -> Path:
    """One article in the development corpus format, with one direct quote by a named person."""
    text = (
        " date 2016-03-01 Senator backs the budget.\n\n"
        "Jane Doe, the senator for Ohio, spoke on Tuesday in Columbus.\n\n"
        "“We will pass this budget before the spring,” Doe said.\n"
    )
    start = text.index("“")
    end = text.index("”") + 1
    doe = text.index("Doe said")
    gold = {
        "file": "articles/tiny.txt",
        "name": "tiny",
        "split": "train",
        "publisher": "test",
        "quote_style": ["curly"],
        "attributions": [
            {
                "id": "E1",
                "type": "direct",
                "in_title": False,
                "nested_in_quote": False,
                "content": {"text": text[start:end], "spans": [[start, end]]},
                "quoted": {"words": 8, "unquoted_words": 0, "spans": [[start + 1, end - 1]]},
                "source": {
                    "class": "named",
                    "text": "Doe",
                    "spans": [[doe, doe + 3]],
                    "name": "Jane Doe",
                    "surname": "Doe",
                    "org": False,
                },
                "cue": {"text": "said", "spans": [[doe + 4, doe + 8]]},
            }
        ],
    }
    (folder / "articles").mkdir(parents=True)
    (folder / "gold").mkdir()
    (folder / "articles" / "tiny.txt").write_text(text, "utf-8")
    (folder / "gold" / "tiny.json").write_text(json.dumps(gold), "utf-8")
    return folder


def test_house_only_run_prints_every_section(tmp_path: Path) -> None:
    """--no-polnear scores every annotated test article and says the corpus was skipped."""
    stdout, data = _run("--no-polnear", tmp_path=tmp_path)
    assert "== Seeds and house articles" in stdout
    assert "Development corpus: skipped (--no-polnear)" in stdout
    assert "== Speed" in stdout
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("eval house_bar=") and "polnear=skipped" in last

    house = data["house"]
    assert house["articles"] == HOUSE_ARTICLES
    assert 0 <= house["passing"] <= house["articles"]
    assert len(house["failing"]) == house["articles"] - house["passing"]
    for key in ("quote_recall", "speaker_accuracy", "people_recall", "people_precision"):
        assert 0.0 <= house[key] <= 1.0, key
    assert house["quotes_found"] <= house["quotes_expected"]
    assert house["docs_per_cpu_s"] > 0
    assert data["polnear"] is None


@pytest.mark.skipif(not SCORER.is_file(), reason=f"no shared scorer at {SCORER}")
def test_tiny_corpus_calibration_counts_every_scored_quote(tmp_path: Path) -> None:
    """On a one-quote corpus the quote is found and every calibration count adds up to it."""
    corpus = _tiny_corpus(tmp_path / "corpus")
    stdout, data = _run("--polnear", str(corpus), tmp_path=tmp_path)
    assert f"== Development corpus ({corpus})" in stdout
    assert "-- Calibration: 1 found direct quotes" in stdout
    assert "<- default" in stdout
    assert "direct_recall=1.000" in stdout.strip().splitlines()[-1]

    figures = data["polnear"]["all"]
    cal = data["polnear"]["calibration"]
    assert (figures["direct_total"], figures["direct_found"]) == (1, 1)
    assert cal["scored"] == figures["direct_found"] == sum(b["n"] for b in cal["bands"])
    for row in cal["thresholds"]:
        assert row["published"] + row["held_back"] == cal["scored"]
    assert cal["default"]["threshold"] == DEFAULT_PUBLISH_MIN_CONFIDENCE
    assert cal["correct"] == figures["named_correct"]


def test_missing_corpus_given_explicitly_is_an_error(tmp_path: Path) -> None:
    """--polnear with a folder that is not a corpus stops with an error, not a silent skip."""
    done = subprocess.run(
        [sys.executable, str(EVAL), "--polnear", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no corpus at" in done.stderr


def test_duplicate_people_are_title_forms_and_sub_forms() -> None:
    """A title form, a part of a name or the same first name and surname count as one person."""
    assert same_person_forms("Ms Ensler", "Eve Ensler")
    assert same_person_forms("Dr Eve Ensler", "Eve Ensler")
    assert same_person_forms("Kevin D", "Kevin D. Williamson")
    assert same_person_forms("Eve M. Ensler", "Eve Ensler")
    assert not same_person_forms("Donald Trump", "Eric Trump")
    assert not same_person_forms("Chris Murphy", "Anne Marie Murphy")
