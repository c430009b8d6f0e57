"""A deterministic generator of synthetic news stories for the benchmarks.

Stories recombine paragraph templates with a pool of names, so people recur across
articles (as they do in a real desk's archive), with every quote form the importer meets:
attribution before and after, pronouns, labels, partial quotes, multi-paragraph quotes,
titles and scare quotes, single-quote house style, boilerplate lines and captions. House
styles vary too: a headline, a headline run together with its standfirst, or no headline
(derived from the lede); most files have a date header. Used by ``bench_pipeline.py`` and
``bench_import.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

FIRST = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Grace",
    "Jack",
    "Sophia",
    "Charlie",
    "Priya",
    "Tomasz",
    "Chidi",
    "Aisha",
    "Mateo",
    "Yuki",
    "Sven",
    "Zara",
    "Kwame",
    "Elif",
    "Rafael",
    "Niamh",
    "Declan",
    "Ingrid",
    "Omar",
    "Leila",
    "Hamish",
    "Carys",
    "Dev",
    "Anya",
    "Felix",
    "Rose",
    "Giovanni",
    "Holly",
    "Tom",
    "Maeve",
    "Amara",
    "Luis",
    "Ed",
    "Natalia",
    "Sam",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Okafor",
    "Nowak",
    "Hale",
    "Patel",
    "Kowalski",
    "Silva",
    "Tanaka",
    "Lindqvist",
    "Mensah",
    "Demir",
    "Garcia",
    "Murphy",
    "Byrne",
    "Haugen",
    "Rahman",
    "Haddad",
    "Campbell",
    "Pryce",
    "Sharma",
    "Petrova",
    "Weber",
    "Ayling-Ellis",
    "O'Brien",
    "Fitzgerald",
    "Pernice",
    "Willoughby",
    "Romero",
    "Adeyemi",
    "Harrington",
    "McKenzie",
    "Doyle",
    "Whitfield",
]
SHOWS = ["Strictly Come Dancing", "EastEnders", "Love Island", "The Great Bake Off", "Top Gear"]
ORGS = [
    "Northfield Council",
    "Harbour City FC",
    "the BBC",
    "Westbrook Brands",
    "Strictly Come Dancing",
    "West Yorkshire Police",
]
ROLES = ["actress", "dancer", "spokesman", "striker", "chief executive", "campaigner", "judge"]
VERBS = ["said", "added", "told reporters", "explained", "continued", "wrote", "admitted"]
DID = ["won", "lifted", "celebrated", "shared", "announced", "signed", "married", "visited"]
OBJECTS = ["the trophy", "a new deal", "the award", "a photograph", "the title", "a statement"]
EVENTS = [
    "won the award {when}",
    "lifted the trophy {when}",
    "married in a private ceremony {when}",
    "performed at the arena {when}",
    "celebrated ten years together {when}",
]
WHEN = [
    "last year",
    "on Sunday",
    "on Thursday",
    "in December",
    "in 2021",
    "on New Year's Eve",
    "last month",
    "yesterday",
    "on 18 December 2021",
    "earlier this month",
    "18-12-2021",
    "last week",
]
QUOTES = [
    "It has been the most incredible year of my life",
    "We worked so hard for this and I am delighted",
    "I never thought this would happen to someone like me",
    "Thank you to everyone who voted, it means the world",
    "There is still a long way to go but this is a great start",
    "I can't wait to see what comes next",
    "Nobody came into this job to make cuts, but the money isn't there",
    "She said to me 'keep going', and I did",
    "I honestly don't know what's happening right now",
]
TITLES = ["Heat", "Paper Moons", "Blue Hour", "Northern Lights"]


def _q(rng: random.Random) -> str:
    return rng.choice(QUOTES)


def _paragraph(rng: random.Random, cast: list[tuple[str, str]], show: str) -> str:
    first, last = rng.choice(cast)
    other_first, other_last = rng.choice(cast)
    when = rng.choice(WHEN)
    kind = rng.randrange(14)
    if kind == 0:
        role = rng.choice(ROLES).capitalize()
        did = f"{rng.choice(DID)} {rng.choice(OBJECTS)}"
        return f"{role} {first} {last} {did} {when} with {rng.choice(ORGS)}."
    if kind == 1:
        return f'{first} {rng.choice(VERBS)}: "{_q(rng)}. {_q(rng)}."'
    if kind == 2:
        return f'"{_q(rng)}," {rng.choice(["he", "she", last])} {rng.choice(VERBS)}.'
    if kind == 3:
        return f'"{_q(rng)}.\n\n"{_q(rng)}," the {rng.choice(ROLES)} added.'
    if kind == 4:
        return f'Mr {last} said he was "delighted" after the film "{rng.choice(TITLES)}" {when}.'
    if kind == 5:
        return f'Speaking on {show}, {first} said: "{_q(rng)}."'
    if kind == 6:
        return f'One fan wrote: "{_q(rng)}", while {other_last} said he was "delighted".'
    if kind == 7:
        return f"The pair {rng.choice(EVENTS).format(when=when)}, one fan wrote."
    if kind == 8:
        return f"'{_q(rng)},' {first} {last} told the paper {when}."
    if kind == 9:
        return f'"{_q(rng)}," a spokesman for {rng.choice(ORGS)} said. "{_q(rng)}."'
    if kind == 10:
        return rng.choice(
            [
                f"MORE: {first} {last} reveals secret behind {show} success",
                "Loading the player...",
                f"{first} and {other_first} on stage",
                "READ MORE: The best moments of the year",
            ]
        )
    if kind == 11:
        return (
            f"{first}, who joined {show} in 20{rng.randint(10, 23)}, described the news as "
            f'"{_q(rng).lower()}", adding that {other_first} had been "a rock".'
        )
    if kind == 12:
        return (
            f"{first} {last} and {other_first} {other_last} {rng.choice(EVENTS).format(when=when)}."
        )
    handle = f"@{first.lower()}{last.lower()}"
    return f'Taking to Instagram, {first} wrote: "{_q(rng)} [heart emoji]." {handle}'


def story(rng: random.Random, n: int) -> str:
    """One story (``n`` numbers it, so no two stories in a corpus are identical)."""
    cast = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(rng.randint(2, 4))]
    (a_first, a_last), (b_first, b_last) = cast[0], cast[1]
    show = rng.choice(SHOWS)
    published = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500))
    lines = []
    header = f" date {published.isoformat()} " if rng.random() < 0.8 else ""
    if rng.random() < 0.15:
        lines += [header + "We may earn a commission for products purchased through links", ""]
        header = ""
    style = rng.random()
    lede = (
        f"{a_first} {a_last} and {b_first} {b_last} "
        f"{rng.choice(EVENTS).format(when=rng.choice(WHEN))}, story {n}."
    )
    if style < 0.15:
        lines += [header + lede, ""]  # no headline: derived from the lede
    else:
        headline = f"{a_first} {a_last} opens up about {show} win"
        if style < 0.35:
            headline += " The star is said to be thrilled by the reaction"
        lines += [header + headline, "", lede, ""]
    for _ in range(rng.randint(4, 9)):
        lines += [_paragraph(rng, cast, show), ""]
    if rng.random() < 0.3:
        lines.append("Like this story? Sign up to our newsletter to get more stories like this.")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_corpus(folder: Path, count: int, *, seed: int = 2026) -> list[Path]:
    """Write ``count`` stories into ``folder``; the same seed gives the same files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"story-{n:06d}.txt"
        path.write_text(story(rng, n), encoding="utf-8")
        paths.append(path)
    return paths
