"""A deterministic generator of synthetic news stories for the benchmarks.

Stories recombine sentence templates with a pool of names, so people recur across
articles (as they do in a real desk's archive), with every quote form the importer meets:
attribution before and after, pronouns, labels, partial quotes, multi-paragraph quotes,
boilerplate lines and captions.
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
]
SHOWS = ["Strictly Come Dancing", "EastEnders", "Love Island", "The Great Bake Off", "Top Gear"]
VERBS = ["said", "added", "told reporters", "explained", "continued"]
EVENTS = [
    "won the award {when}",
    "lifted the trophy {when}",
    "married in a private ceremony {when}",
    "performed at the arena {when}",
    "celebrated ten years together {when}",
]
WHEN = ["last year", "on Sunday", "in December", "in 2021", "on New Year's Eve", "last month"]
QUOTES = [
    "It has been the most incredible year of my life",
    "We worked so hard for this and I am delighted",
    "I never thought this would happen to someone like me",
    "Thank you to everyone who voted, it means the world",
    "There is still a long way to go but this is a great start",
    "I can't wait to see what comes next",
]


def story(rng: random.Random, n: int) -> str:
    a_first, a_last = rng.choice(FIRST), rng.choice(LAST)
    b_first, b_last = rng.choice(FIRST), rng.choice(LAST)
    show = rng.choice(SHOWS)
    published = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500))
    lines = []
    if rng.random() < 0.8:
        lines.append(f" date {published.isoformat()} {a_first} {a_last} opens up about {show} win")
    else:
        lines.append(f"{a_first} {a_last} opens up about {show} win")
    lines.append("")
    lines.append(
        f"{a_first} {a_last} and {b_first} {b_last} "
        f"{rng.choice(EVENTS).format(when=rng.choice(WHEN))}, story {n}."
    )
    lines.append("")
    lines.append(f'Speaking on the show, {a_first} said: "{rng.choice(QUOTES)}."')
    lines.append("")
    lines.append(f'"{rng.choice(QUOTES)}," {b_first} {rng.choice(VERBS)}.')
    lines.append("")
    lines.append(f"MORE: {a_first} {a_last} reveals secret behind {show} success")
    lines.append("")
    lines.append(f'"{rng.choice(QUOTES)}. {rng.choice(QUOTES)}.')
    lines.append("")
    lines.append(f'"{rng.choice(QUOTES)}," she added.')
    lines.append("")
    lines.append(f"{a_first} and {b_first} on stage")
    lines.append("")
    lines.append(f'One fan wrote: "{rng.choice(QUOTES)}", while {b_last} said he was "delighted".')
    lines.append("")
    lines.append("Like this story? Sign up to our newsletter to get more stories like this.")
    return "\n".join(lines) + "\n"


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
