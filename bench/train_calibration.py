"""Learn the attribution calibration weights (extraction/data/calibration.json).

    .venv/bin/python bench/train_calibration.py [--polnear PATH] [--out PATH]

Every found direct quote of the development corpus (``../shared/corpora/polnear-train``:
PolNeAR v1.0.0, train split, converted for Newsroom; see its README) is one example: the
features ``extraction.calibration.features`` computed for it, and whether its speaker is
right as the shared scorer judges it (the named speaker, or rightly no person). A logistic
model with a small L2 penalty is fitted by Newton's method in plain Python.

Five-fold cross-validation by article gives out-of-fold probabilities; the calibration table
and the publish-precision table printed here (and stored with the weights) come from those,
so they describe articles the weights were not fitted on. The corpus itself is never
written anywhere: only the weights and these summary figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval import POLNEAR, SCORER, load_scorer, scored_quotes  # noqa: E402
from extraction import parse_article  # noqa: E402

OUT = ROOT / "extraction" / "data" / "calibration.json"
PROVENANCE = (
    "../shared/corpora/polnear-train: PolNeAR v1.0.0 train split (networkdynamics/PolNeAR"
    " c3eee833), 840 US political news articles, converted for Newsroom; labels from"
    " the shared scorer"
)
L2 = 1.0
FOLDS = 5
BANDS = [i / 10 for i in range(11)]
THRESHOLDS = [t / 100 for t in (*range(50, 95, 5), 91, 92, 93, 94, 95, 96, 97, 98, 99)]


def fit(rows: list[tuple[dict[str, float], int]], names: list[str]) -> dict[str, float]:
    """L2-penalised logistic regression by Newton's method."""
    index = {n: i for i, n in enumerate(names)}
    d = len(names)
    w = [0.0] * d
    xs = [{index[k]: v for k, v in f.items() if k in index} for f, _ in rows]
    ys = [y for _, y in rows]
    for _ in range(30):
        grad = [L2 * w[i] if names[i] != "bias" else 0.0 for i in range(d)]
        hess = [[0.0] * d for _ in range(d)]
        for i in range(d):
            if names[i] != "bias":
                hess[i][i] = L2
        for x, y in zip(xs, ys, strict=True):
            z = sum(w[j] * v for j, v in x.items())
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = p - y
            s = p * (1 - p)
            for j, v in x.items():
                grad[j] += g * v
                for k, u in x.items():
                    hess[j][k] += s * v * u
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(si) for si in step) < 1e-6:
            break
    return {names[i]: round(w[i], 5) for i in range(d) if abs(w[i]) > 1e-9}


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            if factor:
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) < 1e-12:
            continue
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def predict(weights: dict[str, float], f: dict[str, float]) -> float:
    z = sum(weights.get(k, 0.0) * v for k, v in f.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def tables(probs: list[float], ys: list[int]) -> dict:
    bands = []
    for lo, hi in itertools.pairwise(BANDS):
        sel = [y for p, y in zip(probs, ys, strict=True) if lo <= p < hi or (hi == 1.0 and p == 1)]
        bands.append(
            {
                "band": [lo, hi],
                "n": len(sel),
                "accuracy": round(sum(sel) / len(sel), 4) if sel else None,
            }
        )
    publish = []
    for t in THRESHOLDS:
        sel = [y for p, y in zip(probs, ys, strict=True) if p >= t]
        publish.append(
            {
                "threshold": t,
                "published": len(sel),
                "coverage": round(len(sel) / len(ys), 4),
                "precision": round(sum(sel) / len(sel), 4) if sel else None,
            }
        )
    return {"bands": bands, "publish": publish}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polnear", type=Path, default=POLNEAR)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not (args.polnear / "gold").is_dir():
        print(f"no development corpus at {args.polnear}", file=sys.stderr)
        return 2
    scorer = load_scorer(SCORER)
    quotes = [q for q in scored_quotes(scorer, parse_article, args.polnear, None) if q["evidence"]]
    rows = [(q["evidence"], int(q["correct"])) for q in quotes]
    names = sorted({k for f, _ in rows for k in f})
    by_file: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(quotes):
        by_file[q["file"]].append(i)
    files = sorted(by_file)
    oof = [0.0] * len(rows)
    for k in range(FOLDS):
        held = {f for i, f in enumerate(files) if i % FOLDS == k}
        train = [rows[i] for f in files if f not in held for i in by_file[f]]
        weights = fit(train, names)
        for f in held:
            for i in by_file[f]:
                oof[i] = predict(weights, rows[i][0])
    weights = fit(rows, names)
    ys = [y for _, y in rows]
    cv = tables(oof, ys)
    log_loss = -sum(
        math.log(max(1e-9, p if y else 1 - p)) for p, y in zip(oof, ys, strict=True)
    ) / len(ys)
    report = {
        "model": "logistic regression, L2 = 1.0, Newton's method (bench/train_calibration.py)",
        "trained_on": PROVENANCE + " (right speaker, or rightly no person)",
        "trained": dt.date.today().isoformat(),
        "examples": len(rows),
        "right": sum(ys),
        "cross_validation": {"folds": FOLDS, "log_loss": round(log_loss, 4), **cv},
        "weights": weights,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(rows)} examples, {sum(ys)} right; cross-validated log loss {log_loss:.4f}")
    print("confidence band      n  accuracy (out of fold)")
    for b in cv["bands"]:
        acc = "-" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
        print(f"[{b['band'][0]:.1f}, {b['band'][1]:.1f})  {b['n']:6d}  {acc}")
    print("threshold  published  coverage  precision")
    for p in cv["publish"]:
        prec = "-" if p["precision"] is None else f"{p['precision']:.3f}"
        print(f"  {p['threshold']:.2f}     {p['published']:6d}     {p['coverage']:.3f}     {prec}")
    print(f"weights written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
