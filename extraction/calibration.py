"""Confidence that means something: the probability that a quote's speaker is right.

Attribution knows how it found a speaker (the rule, the kind of subject, how many other
people were in play); this module turns that evidence into a probability with a small
logistic model. Its weights (``data/calibration.json``) are learned by
``bench/train_calibration.py`` on the development corpus (PolNeAR train, see the README),
where "right" is the scorer's test: the named speaker, or rightly no person. The corpus
itself never enters the repository; only the weights and a summary of the fit do.

Without weights (a fresh checkout that deleted them) the heuristic confidence of the rule
is used as it is.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources

from .attribution import Attribution

# Feature names are part of the weights file: add new ones, never rename.
RULES = (
    "verb-after",
    "verb-before-colon",
    "verb-before",
    "participial",
    "according-to",
    "name-colon",
    "colon",
    "dash-after",
    "transcript",
    "pronoun",
    "description",
    "label",
    "continuation",
    "previous-paragraph",
    "sentence-subject",
    "unresolved",
    "none",
)
_ARTICLES = frozenset(["the", "a", "an", "one", "another", "some", "his", "her", "their"])
SUBJECTS = ("name", "name-guess", "pronoun", "description", "description-guess", "label", "")


def features(
    attribution: Attribution,
    *,
    partial: bool,
    closed: bool,
    words: int,
    people: int,
    rivals: int,
) -> dict[str, float]:
    """The evidence behind one attribution, as named numbers.

    ``rivals`` counts the other people named in the reporter's words just before the quote
    (in its paragraph and the one before): the more there are, the easier a wrong pick.
    """
    f = {
        "bias": 1.0,
        f"rule={attribution.rule}": 1.0,
        f"subject={attribution.subject}": 1.0,
        f"rule+subject={attribution.rule}+{attribution.subject}": 1.0,
        "heuristic": attribution.confidence,
        "speaker": float(attribution.speaker is not None),
        "label": float(attribution.speaker is None and attribution.label is not None),
        "partial": float(partial),
        "unclosed": float(not closed),
        "log_words": math.log1p(words),
        "log_people": math.log1p(people),
        "log_rivals": math.log1p(rivals),
        "said": float(attribution.verb in ("said", "says")),
        "log_pronoun_rivals": math.log1p(attribution.rivals),
        f"form={attribution.form}": float(bool(attribution.form)),
        "pronoun_alone": float(attribution.subject == "pronoun" and attribution.rivals == 0),
    }
    label = attribution.label
    if attribution.speaker is None and label:
        # "Mrs. Clinton" left as a label is a name the article did not resolve; "a
        # spokesman" is a description that rightly names nobody.
        first = label.split()[0]
        f["label_proper"] = float(first[:1].isupper() and first.lower() not in _ARTICLES)
    if attribution.speaker is not None:
        f[f"speaker_rule={attribution.rule}"] = 1.0
    return f


@cache
def _weights() -> dict[str, float] | None:
    try:
        text = resources.files(__package__).joinpath("data/calibration.json").read_text("utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)["weights"]


def probability(evidence: dict[str, float], fallback: float) -> float:
    """The calibrated probability for ``evidence`` (``fallback`` without weights)."""
    weights = _weights()
    if weights is None:
        return fallback
    z = sum(weights.get(name, 0.0) * value for name, value in evidence.items())
    z = max(-30.0, min(30.0, z))
    return round(1.0 / (1.0 + math.exp(-z)), 3)
