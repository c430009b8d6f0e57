"""Measure extraction quality: house articles, the development corpus, confidence calibration.

Figures, not pass/fail. Runs ``extraction.parse_article`` on

1. every hand-annotated test article (``tests/extraction/corpus/*.json`` and ``seeds/*.json``),
   judged by ``tests/extraction/corpus/check.py``;
2. the PolNeAR development corpus (``../shared/corpora/polnear-train`` beside the checkout,
   never copied into the repository), scored by the shared ``../shared/corpora/score_polnear.py``;
3. the same corpus again for a calibration table: is the speaker right as often as the quote's
   ``confidence`` says, and what would each publish threshold let through?

    .venv/bin/python bench/eval.py [--polnear PATH | --no-polnear] [--limit N]
                                   [--group-by publisher] [--json PATH]

The last line printed holds the key figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extraction import DEFAULT_PUBLISH_MIN_CONFIDENCE, parse_article  # noqa: E402
from tests.extraction.corpus.check import (  # noqa: E402
    check,
    load,
    match_quotes,
    speaker_failure,
)

HOUSE = ROOT / "tests" / "extraction" / "corpus"
POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear-train"
SCORER = ROOT.parent / "shared" / "corpora" / "score_polnear.py"
THRESHOLDS = [t / 100 for t in (*range(30, 95, 5), 95, 96, 97, 98, 99)]  # 0.30 ... 0.99
TARGET_PRECISION = 0.98
EPS = 1e-9  # confidences are sums of floats: 0.7 may arrive as 0.69999999999

# Words that make "Ms Ensler" a form of "Eve Ensler" rather than another person.
HONORIFICS = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "sen",
    "senator",
    "rep",
    "gov",
    "governor",
    "president",
    "judge",
    "justice",
}


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def speed(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


# ----------------------------------------------------------------------------- house articles


def _name_tokens(name: str) -> list[str]:
    tokens = [t.strip(".,").lower() for t in name.split()]
    tokens = [t for t in tokens if t]
    while len(tokens) > 1 and tokens[0] in HONORIFICS:
        tokens.pop(0)
    return tokens


def same_person_forms(a: str, b: str) -> bool:
    """One name is the other with a title, a sub-form of it, or the same first name + surname."""
    short, long = sorted((_name_tokens(a), _name_tokens(b)), key=len)
    if not short:
        return False
    n = len(short)
    if long[:n] == short or long[-n:] == short:  # "Dr Eve Ensler", "Ms Ensler", "Eve", "Kevin D"
        return True
    return n >= 2 and (short[0], short[-1]) == (long[0], long[-1])  # "Eve M. Ensler"


def house_figures(paths: list[Path]) -> dict:
    """Parse every annotated test article; bar, quotes, speakers, people, duplicates, speed."""
    c: Counter = Counter()
    failing: dict[str, list[str]] = {}
    duplicates: list[dict] = []
    cpu = 0.0
    if paths:  # load the lexicons before timing, as bench_pipeline.py does
        parse_article(load(paths[0])[0], source_name="warm.txt")
    for path in paths:
        name = str(path.relative_to(HOUSE).with_suffix(""))
        raw, ann = load(path)
        t0 = time.process_time()
        try:
            article = parse_article(raw, source_name=ann.get("file", path.with_suffix(".txt").name))
        except Exception as exc:  # a crash costs the article, not the run
            article, error = None, f"parse error: {type(exc).__name__}: {exc}"
        cpu += time.process_time() - t0
        c["articles"] += 1
        expected_people = ann["people"]
        c["people_expected"] += len(expected_people)
        c["quotes_expected"] += len(ann["quotes"])
        if article is None:
            failing[name] = [error]
            continue
        fails = check(article, ann)
        if fails:
            failing[name] = fails
        else:
            c["passing"] += 1

        for exp, hit in zip(ann["quotes"], match_quotes(article, ann), strict=True):
            if hit is None:
                continue
            c["quotes_found"] += 1
            if not exp.get("speaker_optional"):
                c["speakers_scored"] += 1
                c["speakers_right"] += speaker_failure(article, exp, hit) is None

        names = [p.name for p in article.people]
        allowed = set(expected_people) | set(ann.get("people_optional", []))
        c["people_found"] += sum(name in names for name in expected_people)
        c["people_extracted"] += len(names)
        c["people_allowed"] += sum(name in allowed for name in names)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                # Two distinct annotated people ("Donald Trump", "Donald Trump Jr.") are not a pair.
                if same_person_forms(a, b) and not (a in allowed and b in allowed and a != b):
                    duplicates.append({"article": name, "names": [a, b]})
    return {
        "articles": c["articles"],
        "passing": c["passing"],
        "failing": failing,
        "quotes_expected": c["quotes_expected"],
        "quotes_found": c["quotes_found"],
        "quote_recall": ratio(c["quotes_found"], c["quotes_expected"]),
        "speakers_scored": c["speakers_scored"],
        "speakers_right": c["speakers_right"],
        "speaker_accuracy": ratio(c["speakers_right"], c["speakers_scored"]),
        "people_expected": c["people_expected"],
        "people_found": c["people_found"],
        "people_recall": ratio(c["people_found"], c["people_expected"]),
        "people_extracted": c["people_extracted"],
        "people_allowed": c["people_allowed"],
        "people_precision": ratio(c["people_allowed"], c["people_extracted"]),
        "duplicate_people": duplicates,
        "cpu_s": round(cpu, 3),
        "docs_per_cpu_s": round(c["articles"] / cpu, 1) if cpu else None,
    }


def print_house(h: dict) -> None:
    print(f"== Seeds and house articles ({HOUSE.relative_to(ROOT)}: {h['articles']} articles) ==")
    rows = [
        ("articles meeting their bar", f"{h['passing']}/{h['articles']}"),
        ("quote recall", f"{fmt(h['quote_recall'])} ({h['quotes_found']}/{h['quotes_expected']})"),
        (
            "speaker accuracy (found)",
            f"{fmt(h['speaker_accuracy'])} ({h['speakers_right']}/{h['speakers_scored']})",
        ),
        (
            "people recall",
            f"{fmt(h['people_recall'])} ({h['people_found']}/{h['people_expected']})",
        ),
        (
            "people precision",
            f"{fmt(h['people_precision'])} ({h['people_allowed']}/{h['people_extracted']})",
        ),
        ("duplicate people", str(len(h["duplicate_people"]))),
    ]
    for label, value in rows:
        print(f"{label:<30}{value}")
    for name, fails in h["failing"].items():
        print(f"failing: {name}")
        for line in fails:
            print(f"    {line}")
    for d in h["duplicate_people"]:
        print(f"duplicate: {d['article']}: {d['names'][0]!r} ~ {d['names'][1]!r}")


# ----------------------------------------------------------------------------- development corpus


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score_polnear", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scored_quotes(scorer, parse, corpus: Path, limit: int | None) -> list[dict]:
    """Every found gold direct quote with its predicted confidence, right or wrong as the scorer
    judges it (this mirrors the recall-and-speaker part of ``scorer.evaluate``, which counts
    right answers without listing them)."""
    gold_files = sorted((corpus / "gold").glob("*.json"))
    if limit:
        gold_files = gold_files[:limit]
    out = []
    parsed = []

    def keep(raw, **kwargs):
        parsed.append(parse(raw, **kwargs))
        return parsed[-1]

    for gf in gold_files:
        gold = json.loads(gf.read_text(encoding="utf-8"))
        path = corpus / gold["file"]
        parsed.clear()
        _, _, preds, golds, _ = scorer.score_article(keep, path.read_bytes(), gold, path.name)
        article = parsed[0] if parsed else None
        for a, _, qids in golds:
            if a["type"] != "direct" or a["in_title"] or not qids:
                continue
            best = max(preds, key=lambda p, q=qids: len(p["ids"] & q), default=None)
            cover_single = len(best["ids"] & qids) / len(qids) if best else 0.0
            inside = [
                p["ids"]
                for p in preds
                if p["ids"] and len(p["ids"] & qids) / len(p["ids"]) >= scorer.THRESHOLD
            ]
            cover_multi = len(set().union(*inside) & qids) / len(qids) if inside else 0.0
            if max(cover_single, cover_multi) < scorer.THRESHOLD:
                continue
            cls, exp = scorer.expected_of(a)
            if exp is not None:
                correct = scorer.name_matches(best["speaker"], exp["name"], exp["surname"])
            else:
                correct = best["speaker"] is None
            out.append(
                {
                    "file": gold["file"],
                    "class": cls,
                    "correct": bool(correct),
                    "confidence": best["confidence"],
                    "no_speaker": best["speaker"] is None,
                    "evidence": _evidence_of(article, best["q"]),
                    "expected": exp,
                }
            )
    return out


def _evidence_of(article, quote) -> dict | None:
    """The calibration features behind a predicted quote (``ParsedArticle.evidence``)."""
    if article is None:
        return None
    for q, evidence in zip(article.quotes, getattr(article, "evidence", []), strict=False):
        if q is quote:
            return evidence
    return None


def calibration(quotes: list[dict], default: float) -> dict:
    bands = []
    for k in range(10):
        lo, hi = k / 10, (k + 1) / 10
        inside = [q for q in quotes if k == min(9, max(0, int(q["confidence"] * 10 + EPS)))]
        right = sum(q["correct"] for q in inside)
        bands.append({"band": [lo, hi], "n": len(inside), "accuracy": ratio(right, len(inside))})
    rows = []
    for t in sorted(set(THRESHOLDS) | {default}):
        shown = [q for q in quotes if q["confidence"] >= t - EPS]
        held = [q for q in quotes if q["confidence"] < t - EPS]
        rows.append(
            {
                "threshold": t,
                "published": len(shown),
                "coverage": ratio(len(shown), len(quotes)),
                "publish_precision": ratio(sum(q["correct"] for q in shown), len(shown)),
                "publish_precision_none_harmless": ratio(
                    sum(q["correct"] or q["no_speaker"] for q in shown), len(shown)
                ),
                "held_back": len(held),
                "held_back_accuracy": ratio(sum(q["correct"] for q in held), len(held)),
                "default": t == default,
            }
        )
    suggested = next(
        (
            r
            for r in rows
            if r["publish_precision"] is not None and r["publish_precision"] >= TARGET_PRECISION
        ),
        None,
    )
    return {
        "scored": len(quotes),
        "correct": sum(q["correct"] for q in quotes),
        "by_class": dict(Counter(q["class"] for q in quotes)),
        "bands": bands,
        "thresholds": rows,
        "default": next(r for r in rows if r["default"]),
        "suggested": suggested,
    }


def print_calibration(cal: dict, found: int) -> None:
    classes = ", ".join(f"{k} {v}" for k, v in sorted(cal["by_class"].items()))
    print(
        f"\n-- Calibration: {cal['scored']} found direct quotes scored for a speaker ({classes}) --"
    )
    if cal["scored"] != found:
        print(f"WARNING: the scorer found {found}; bench/eval.py no longer mirrors its evaluate()")
    print("right = the scorer's test: the named/pronoun referent as speaker, or no person")
    print(f"{'confidence':<14}{'n':>6}{'accuracy':>10}")
    for b in cal["bands"]:
        lo, hi = b["band"]
        label = f"[{lo:.1f}, {hi:.1f}" + ("]" if hi == 1.0 else ")")
        print(f"{label:<14}{b['n']:>6}{fmt(b['accuracy']):>10}")
    print(
        "\npublish = confidence >= t; 'precision' counts right quotes among published ones,"
        "\n'no-speaker harmless' also counts a published quote with no speaker (it names nobody);"
        "\n'acc' is the accuracy of the held-back quotes"
    )
    head = ["t", "published", "coverage", "precision", "no-speaker harmless", "held back", "acc"]
    widths = [6, 11, 10, 11, 21, 11, 7]
    print("".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    for r in cal["thresholds"]:
        cells = [
            f"{r['threshold']:.2f}",
            str(r["published"]),
            fmt(r["coverage"]),
            fmt(r["publish_precision"]),
            fmt(r["publish_precision_none_harmless"]),
            str(r["held_back"]),
            fmt(r["held_back_accuracy"]),
        ]
        mark = "  <- default" if r["default"] else ""
        if cal["suggested"] is r:
            mark += "  <- suggested"
        print("".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + mark)
    d, s = cal["default"], cal["suggested"]
    print(
        f"default threshold {d['threshold']:.2f} (extraction.DEFAULT_PUBLISH_MIN_CONFIDENCE): "
        f"publish precision {fmt(d['publish_precision'])} "
        f"({fmt(d['publish_precision_none_harmless'])} no-speaker harmless), "
        f"coverage {fmt(d['coverage'])}"
    )
    if s is None:
        print(
            f"suggested threshold: none of {THRESHOLDS[0]:.2f}-{THRESHOLDS[-1]:.2f} reaches "
            f"publish precision {TARGET_PRECISION}"
        )
    else:
        print(
            f"suggested threshold {s['threshold']:.2f} (smallest with publish precision >= "
            f"{TARGET_PRECISION}): precision {fmt(s['publish_precision'])}, "
            f"coverage {fmt(s['coverage'])}"
        )


def polnear_figures(scorer, corpus: Path, limit: int | None, group_by: str) -> dict:
    """The scorer's figures, then the calibration pass over the same parses."""
    parsed: dict[str, object] = {}

    def parse_and_keep(raw: bytes, source_name: str):
        try:
            article = parse_article(raw, source_name=source_name)
        except Exception as exc:
            parsed[source_name] = exc
            raise
        parsed[source_name] = article
        return article

    def replay(raw: bytes, source_name: str):  # the calibration pass: no second parse
        article = parsed[source_name]
        if isinstance(article, Exception):
            raise article
        return article

    S, _ = scorer.evaluate(parse_and_keep, corpus, limit, group_by)
    total: Counter = Counter()
    for c in S.values():
        total.update(c)
    figs = {group: scorer.figures(S[group]) for group in sorted(S)}
    if len(S) > 1:
        figs["all"] = scorer.figures(total)
    quotes = scored_quotes(scorer, replay, corpus, limit)
    return {
        "corpus": str(corpus),
        "figures": figs,
        "all": scorer.figures(total),
        "calibration": calibration(quotes, DEFAULT_PUBLISH_MIN_CONFIDENCE),
    }


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--polnear", type=Path, help=f"development corpus (default {POLNEAR})")
    where.add_argument("--no-polnear", action="store_true", help="house articles only")
    parser.add_argument("--limit", type=int, help="score only the first N corpus articles")
    parser.add_argument(
        "--group-by", default="split", choices=["split", "publisher"], help="corpus table columns"
    )
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)

    corpus = args.polnear or POLNEAR
    skipped = None
    if args.no_polnear:
        skipped = "--no-polnear"
    elif not (corpus / "gold").is_dir():
        skipped = f"no corpus at {corpus}"
    elif not SCORER.is_file():
        skipped = f"no scorer at {SCORER}"
    if skipped and args.polnear:
        parser.error(skipped)

    paths = sorted(HOUSE.glob("*.json")) + sorted((HOUSE / "seeds").glob("*.json"))
    house = house_figures(paths)
    print_house(house)

    print()
    polnear = None
    if skipped:
        print(f"== Development corpus: skipped ({skipped}) ==")
    else:
        print(f"== Development corpus ({corpus}) ==")
        scorer = load_scorer(SCORER)
        polnear = polnear_figures(scorer, corpus, args.limit, args.group_by)
        scorer.print_table(polnear["figures"])
        print_calibration(polnear["calibration"], polnear["all"]["direct_found"])

    print("\n== Speed (CPU time inside parse_article, one core) ==")
    if polnear:
        a = polnear["all"]
        print(f"{'development corpus':<30}{speed(a['docs_per_cpu_s'])} docs / CPU s ({a['docs']})")
    print(
        f"{'house articles':<30}{speed(house['docs_per_cpu_s'])} docs / CPU s "
        f"({house['articles']}, one pass)"
    )

    summary = {
        "house_bar": f"{house['passing']}/{house['articles']}",
        "quote_recall": house["quote_recall"],
        "speaker_acc": house["speaker_accuracy"],
        "people_recall": house["people_recall"],
        "people_precision": house["people_precision"],
        "duplicates": len(house["duplicate_people"]),
    }
    if polnear:
        a, cal = polnear["all"], polnear["calibration"]
        summary |= {
            "polnear_docs": a["docs"],
            "direct_recall": a["direct_recall"],
            "precision": a["precision"],
            "named_acc": a["named_accuracy"],
            "pronoun_acc~": a["pronoun_accuracy"],
            "nominal_ok": a["nominal_accuracy"],
            "org_ok": a["named-org_accuracy"],
            "none_ok": a["none_accuracy"],
            "publish_t": cal["default"]["threshold"],
            "publish_precision": cal["default"]["publish_precision"],
            "publish_coverage": cal["default"]["coverage"],
            "suggested_t": cal["suggested"]["threshold"] if cal["suggested"] else None,
            "docs_per_cpu_s": a["docs_per_cpu_s"],
        }
    else:
        summary["polnear"] = "skipped"
    summary["house_docs_per_cpu_s"] = house["docs_per_cpu_s"]

    if args.json:
        data = {"house": house, "polnear": polnear, "polnear_skipped": skipped, "summary": summary}
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    shown = {k: speed(v) if k.endswith("per_cpu_s") else fmt(v) for k, v in summary.items()}
    print("\neval " + " ".join(f"{k}={v}" for k, v in shown.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
