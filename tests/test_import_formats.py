"""Real formats (issue 13): HTML pages, RSS and Atom feeds and IPTC ninjs JSON import through
the same pipeline as plain text, with the headline, date and byline their format states."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import socket
from pathlib import Path

import pytest

from articles import formats
from articles.models import Article, Quote
from articles.sources import collect_sources
from extraction import IngestError, WorldKnowledge
from people.models import Person
from tests.test_import_command import run_import, summary_value

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
LONDON = dt.timezone(dt.timedelta(hours=1))  # British Summer Time, in May


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Nothing here reaches the network: only the local database and Redis may be dialled."""
    connect = socket.socket.connect

    def local_only(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(address, tuple) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access to {address!r}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)


@pytest.fixture
def desk(tmp_path):
    """A folder holding a copy of every fixture (as a desk's drop folder would)."""
    folder = tmp_path / "desk"
    shutil.copytree(FIXTURES, folder)
    return folder


def article(key: str) -> Article:
    return Article.objects.get(source_key=key)


def speakers(art: Article) -> dict[str, str]:
    """Each quote's speaker, or the candidate a quote under the publish threshold waits with."""
    quotes = Quote.objects.filter(article=art).select_related("speaker", "suggested_speaker")
    return {
        q.text[:20]: (q.speaker or q.suggested_speaker).name
        if (q.speaker or q.suggested_speaker)
        else q.speaker_label
        for q in quotes
    }


EXPECTED = {
    "desk/bridge.html": {
        "title": "Minister promises new bridge for Harwich",
        "standfirst": "Work on the crossing will start next spring, the transport minister says",
        "byline": "Jane Porter",
        "published_at": dt.datetime(2024, 5, 3, 9, 30, tzinfo=LONDON),
        "body_starts": "The transport minister, Alan Hughes, promised on Friday",
        "speakers": {"This bridge will cha": "Alan Hughes", "We have waited thirt": "Maria Lopez"},
    },
    "desk/wire.rss#courier-2024-0501": {
        "title": "Lifeboat crew rescue two sailors off Walton",
        "standfirst": "",
        "byline": "Tom Baker",
        "published_at": dt.datetime(2024, 5, 1, 17, 45, tzinfo=dt.UTC),
        "body_starts": "Two sailors were rescued on Wednesday",
        "speakers": {"Conditions were as b": "Peter Marsh"},
    },
    "desk/wire.rss#courier-2024-0502": {
        "title": "Harwich school wins national chess title",
        "standfirst": "",
        "byline": "Priya Shah",
        "published_at": dt.datetime(2024, 5, 2, 7, 0, tzinfo=dt.UTC),
        "body_starts": "A Harwich primary school has won",
        "speakers": {"They practised every": "Susan Clarke"},
    },
    "desk/desk.atom#tag:courier.example,2024:politics/seafront-budget": {
        "title": "Council approves seafront budget",
        "standfirst": "",
        "byline": "Jane Porter",
        "published_at": dt.datetime(2024, 5, 4, 11, 30, tzinfo=dt.UTC),
        "body_starts": "Tendring council approved a new seafront budget",
        "speakers": {"The seafront is the ": "Mark Stephens"},
    },
    "http://ninjs.example.com/newsitems/20240505-ferry": {
        "title": "Ferry strike called off after late talks",
        "standfirst": "Unions and operator reach a deal overnight",
        "byline": "Sam Okoro",
        "published_at": dt.datetime(2024, 5, 5, 7, 15, tzinfo=dt.UTC),
        "body_starts": "A strike by ferry workers at Harwich",
        "speakers": {"Our members can go b": "Linda Grant"},
    },
    "urn:newsml:courier.example:20240506:harbour-dredging": {
        "title": "Harbour dredging to start in June",
        "standfirst": "",
        "byline": "Ruth Ellis",
        "published_at": dt.datetime(2024, 5, 6, 14, 2, 28, tzinfo=dt.UTC),
        "body_starts": "Dredging of Harwich harbour will start in June, the port authority said on",
        "speakers": {"This opens the port ": "Owen Price"},
    },
}


def test_every_format_imports_with_its_metadata_people_and_quotes(desk):
    """Each format's story gets the headline, date, byline and body its format states, and
    its people and quotes are extracted; a picture in a ninjs array is refused alone."""
    code, out, err = run_import("--publish", desk)
    assert code == 1  # the picture item
    assert "ninjs item 2 is a picture, not a text story" in err
    assert summary_value(out, "created") == len(EXPECTED)
    assert summary_value(out, "failed") == 1
    for key, expected in EXPECTED.items():
        art = article(key)
        assert art.title == expected["title"], key
        assert not art.title_derived
        assert art.standfirst == expected["standfirst"], key
        assert art.byline == expected["byline"], key
        assert art.published_at == expected["published_at"], key
        assert art.body.startswith(expected["body_starts"]), key
        assert "\n\n" in art.body  # paragraphs kept, so offsets hold
        assert speakers(art) == expected["speakers"], key
        for quote in Quote.objects.filter(article=art):
            assert art.body[quote.start : quote.end].startswith(quote.text[:20])
    page = article("desk/bridge.html")
    # The page's navigation, cookie banner, "most read" list and footer are not the story.
    for chrome in ("Home", "cookies", "Most read", "Cat rescued", "All rights reserved"):
        assert chrome not in page.body
    assert "By Jane Porter" not in page.body
    assert "<html" in page.raw_text  # the page as received, for editors
    lifeboat = article("desk/wire.rss#courier-2024-0501")
    assert lifeboat.captions == ["The lifeboat returning to Walton pier"]
    assert Person.objects.filter(name="Owen Price").exists()


def test_folders_are_searched_for_every_story_format(desk):
    """collect_sources finds the HTML, feed and JSON files of a folder, not only *.txt."""
    (desk / "notes.md").write_text("not a story format", encoding="utf-8")
    found = [file.key for file in collect_sources([desk], source="courier")]
    assert found == [
        "courier:desk/bridge.html",
        "courier:desk/desk.atom",
        "courier:desk/ninjs1.json",
        "courier:desk/ninjs2.json",
        "courier:desk/wire.rss",
    ]
    assert {file.source for file in collect_sources([desk], source="courier")} == {"courier"}


def test_a_ninjs_item_is_keyed_by_its_uri_under_the_source_name(desk):
    """A ninjs item's key is its uri (prefixed with --source): a later version of the item,
    in another file, updates the same article."""
    run_import("--source", "wire", desk / "ninjs1.json")
    first = article("wire:http://ninjs.example.com/newsitems/20240505-ferry")
    later = desk / "later" / "ferry-v2.json"
    later.parent.mkdir()
    later.write_text(
        (desk / "ninjs1.json")
        .read_text(encoding="utf-8")
        .replace('"version": "1"', '"version": "2"')
        .replace("heads held high,", "heads held high, and we thank the public,"),
        encoding="utf-8",
    )
    code, out, err = run_import("--source", "wire", later.parent)
    assert code == 0, err
    assert summary_value(out, "updated") == 1
    assert Article.objects.count() == 1
    first.refresh_from_db()
    assert "we thank the public" in first.body


def test_reimporting_an_unchanged_feed_changes_nothing(desk):
    """The same feed again: every entry is unchanged (each entry has its own hash)."""
    run_import(desk / "wire.rss")
    before = list(Article.objects.order_by("pk").values_list("pk", "source_sha256", "version"))
    code, out, err = run_import(desk / "wire.rss")
    assert code == 0, err
    assert summary_value(out, "unchanged") == 2
    assert summary_value(out, "created") == summary_value(out, "updated") == 0
    after = list(Article.objects.order_by("pk").values_list("pk", "source_sha256", "version"))
    assert after == before
    assert len({sha for _, sha, _ in after}) == 2


def test_an_entry_changed_in_a_feed_updates_its_article_only(desk):
    """One entry revised in the next copy of the feed updates its article (same id, same
    quotes kept); the other entry is unchanged; a new entry is created."""
    run_import(desk / "wire.rss")
    lifeboat = article("wire.rss#courier-2024-0501")
    quote_ids = set(lifeboat.quotes.values_list("pk", flat=True))
    feed = (desk / "wire.rss").read_text(encoding="utf-8")
    feed = feed.replace("released.</p>", "released. The yacht was towed to Harwich.</p>").replace(
        "</channel>",
        """<item><title>Pier reopens after repairs</title>
        <guid>courier-2024-0503</guid><pubDate>Fri, 03 May 2024 10:00:00 +0100</pubDate>
        <content:encoded><![CDATA[<p>Walton pier reopened on Friday after a month of repairs to
        its decking.</p><p>"It is good to be back," said the pier manager, Colin Hart.</p>]]>
        </content:encoded></item></channel>""",
    )
    (desk / "wire.rss").write_text(feed, encoding="utf-8")
    code, out, err = run_import(desk / "wire.rss")
    assert code == 0, err
    assert summary_value(out, "updated") == 1
    assert summary_value(out, "unchanged") == 1
    assert summary_value(out, "created") == 1
    lifeboat.refresh_from_db()
    assert "towed to Harwich" in lifeboat.body
    assert set(lifeboat.quotes.values_list("pk", flat=True)) == quote_ids
    assert article("wire.rss#courier-2024-0503").title == "Pier reopens after repairs"


def test_an_editors_byline_survives_reimport(desk):
    """A byline is an editable field: an editor's correction is kept by a changed import."""
    run_import(desk / "desk.atom")
    key = "desk.atom#tag:courier.example,2024:politics/seafront-budget"
    art = article(key)
    art.byline = "Jane Porter and Sam Okoro"
    art.save()
    atom = (desk / "desk.atom").read_text(encoding="utf-8")
    (desk / "desk.atom").write_text(
        atom.replace("after a long debate.", "after a long and heated debate."), encoding="utf-8"
    )
    _, out, err = run_import(desk / "desk.atom")
    assert summary_value(out, "updated") == 1, err
    art.refresh_from_db()
    assert art.byline == "Jane Porter and Sam Okoro"
    assert "heated" in art.body


MALFORMED = {
    "truncated.rss": (
        (FIXTURES / "wire.rss").read_text(encoding="utf-8")[:900],
        "not a well-formed RSS or Atom feed",
    ),
    "empty.atom": (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
        "the feed has no entries",
    ),
    "other.xml": ('<?xml version="1.0"?><catalogue><book/></catalogue>', "not an RSS or Atom feed"),
    "nobody.json": (
        '{"uri": "urn:x:1", "headline": "A headline and nothing else"}',
        "ninjs item has no body",
    ),
    "nouri.json": ('{"headline": "Hi", "body_text": "Some text here."}', "has no uri"),
    "broken.json": ('{"uri": "urn:x:2", "body_text": "cut', "not valid JSON"),
    "withheld.json": (
        '{"uri": "urn:x:3", "pubstatus": "canceled", "body_text": "A story. Cancelled."}',
        "is canceled (pubstatus)",
    ),
    "chrome.html": (
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        "story has no body text",
    ),
    "blank.html": ("<html><body><script>x()</script></body></html>", "HTML page has no article"),
}


def test_malformed_files_fail_clearly_and_lose_nothing_else(desk):
    """Each malformed file is reported with its reason; every good story still imports."""
    for name, (content, _) in MALFORMED.items():
        (desk / name).write_text(content, encoding="utf-8")
    code, out, err = run_import(desk)
    assert code == 1
    lines = err.splitlines()
    for name, (_, reason) in MALFORMED.items():
        line = next((line for line in lines if name in line), None)
        assert line is not None and reason in line, (name, reason, err)
    assert summary_value(out, "created") == len(EXPECTED)
    assert summary_value(out, "failed") == len(MALFORMED) + 1  # + the ninjs picture
    assert set(Article.objects.values_list("source_key", flat=True)) == set(EXPECTED)


def test_a_bad_entry_fails_alone_in_a_good_feed(tmp_path):
    """An entry without text, one with nothing but boilerplate, and a repeated id are
    refused, each named; the feed's other entries import."""
    feed = (FIXTURES / "wire.rss").read_text(encoding="utf-8")
    feed = feed.replace(
        "</channel>",
        """<item><title>Only a title</title><guid>courier-empty</guid></item>
        <item><title>Teaser</title><guid>courier-teaser</guid>
        <description>READ MORE: the full story on our site</description></item>
        <item><title>Again</title><guid>courier-2024-0502</guid>
        <description>Another story under a used id.</description></item></channel>""",
    )
    path = tmp_path / "wire.rss"
    path.write_text(feed, encoding="utf-8")
    code, out, err = run_import(path)
    assert code == 1
    assert "feed entry 'courier-empty' has no text" in err
    assert "feed entry 'courier-teaser': story has no body text" in err
    assert "feed entry 5 repeats the id 'courier-2024-0502'" in err
    assert summary_value(out, "created") == 2
    assert summary_value(out, "failed") == 3


def test_byline_shows_in_the_api_and_on_the_article_page(desk, client):
    """The byline is in the API's article output and on the public page."""
    run_import("--publish", desk / "bridge.html")
    art = article("bridge.html")
    data = client.get(f"/api/v1/articles/{art.slug}/").json()
    assert data["byline"] == "Jane Porter"
    listed = client.get("/api/v1/articles/").json()["results"][0]
    assert listed["byline"] == "Jane Porter"
    page = client.get(art.get_absolute_url()).content.decode()
    assert "By Jane Porter" in page


# --- Reading formats without the database ----------------------------------------------------


def read(name: str, content: bytes, key: str = "k", source: str = ""):
    return formats.read_stories(Path(name), content, key, source=source)


def test_formats_are_chosen_by_extension_then_by_first_bytes():
    """Known extensions decide; other names are sniffed (feeds, HTML), else plain text."""
    rss = (FIXTURES / "wire.rss").read_bytes()
    assert formats.story_format(Path("a.txt"), rss) == formats.TEXT
    assert formats.story_format(Path("feed"), rss) == formats.FEED
    assert formats.story_format(Path("page.php"), b"<!DOCTYPE html><html>") == formats.HTML
    assert formats.story_format(Path("story"), b"date 2024-01-01 Headline") == formats.TEXT
    assert formats.story_format(Path("x.JSON"), b"{}") == formats.NINJS


def test_a_plain_text_story_hashes_its_bytes_as_before():
    """A .txt file is one story whose hash is the file's (existing articles stay unchanged)."""
    ((key, story),) = read("a.txt", b"Headline\n\nBody text here.", key="f/a.txt")
    assert key == "f/a.txt"
    assert story.raw == b"Headline\n\nBody text here."
    assert story.sha256 == hashlib.sha256(b"Headline\n\nBody text here.").hexdigest()


def test_a_long_entry_id_gives_a_bounded_stable_key():
    """An entry id too long for a source key is shortened with a hash: the same id gives the
    same key on every import, and different ids different keys."""
    template = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>T</title><guid>{guid}</guid><description>A story. It has words.</description>
    </item></channel></rss>"""
    long_a, long_b = "a" * 800, "a" * 799 + "b"
    keys = [
        read("f.rss", template.format(guid=guid).encode(), key="feeds/f.rss")[0][0]
        for guid in (long_a, long_a, long_b)
    ]
    assert keys[0] == keys[1] != keys[2]
    assert all(len(key) <= formats.SOURCE_KEY_MAX_LENGTH for key in keys)
    assert keys[0].startswith("feeds/f.rss#aaaa")


def test_feedparser_is_never_given_a_name_to_open(tmp_path):
    """A feed's bytes that look like a file name are data, never opened as a path."""
    secret = tmp_path / "secret.xml"
    secret.write_text(
        '<rss version="2.0"><channel><item><guid>s</guid><description>Secret words here.'
        "</description></item></channel></rss>",
        encoding="utf-8",
    )
    ((_, outcome),) = read("f.rss", str(secret).encode())
    assert isinstance(outcome, IngestError)


def test_html_fragments_become_blank_line_separated_paragraphs():
    """Block elements are paragraphs; scripts are dropped; entities decoded; <br> a line."""
    text = formats.html_paragraphs(
        "<div><p>One &amp; <b>two</b>.</p><script>var x = 1;</script>"
        "<ul><li>Three</li><li>Four</li></ul>Five<br>six</div>"
    )
    assert text == "One & two.\n\nThree\n\nFour\n\nFive\nsix"


def test_ninjs_two_prefers_the_main_headline_and_the_html_body():
    """ninjs 2.x: the headline whose role is main, the HTML body (its paragraphs marked)."""
    stories = read("n.json", (FIXTURES / "ninjs2.json").read_bytes())
    key, story = stories[0]
    assert key == "urn:newsml:courier.example:20240506:harbour-dredging"
    assert story.metadata.headline == "Harbour dredging to start in June"
    assert story.metadata.byline == "Ruth Ellis"
    assert story.text.count("\n\n") == 1
    parsed = story.parse(world=WorldKnowledge(), max_bytes=100_000)
    assert parsed.published_on == dt.date(2024, 5, 6)


def test_a_feed_never_reads_external_entities_or_expands_entity_bombs(tmp_path):
    """An external entity is not read (the file's words never reach the story), and an
    entity bomb is refused as a malformed feed rather than expanded."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    external = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><item><guid>a</guid><title>A title here</title>'
        "<description>Some words. &x; More words.</description></item></channel></rss>"
    )
    ((_, story),) = read("x.rss", external.encode())
    assert "TOP SECRET" not in getattr(story, "text", str(story))
    entities = "".join(
        f'<!ENTITY e{i} "{(f"&e{i - 1};" if i > 1 else "ha") * 10}">' for i in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE r [{entities}]><rss version="2.0"><channel>'
        "<item><guid>a</guid><description>&e9;</description></item></channel></rss>"
    )
    ((_, refused),) = read("bomb.rss", bomb.encode())
    assert isinstance(refused, IngestError)
    assert "not a well-formed RSS or Atom feed" in str(refused)


def test_json_nested_too_deeply_is_refused_with_a_reason():
    ((_, refused),) = read("deep.json", b"[" * 100_000 + b"]" * 100_000)
    assert str(refused) == "not valid JSON: nested too deeply"


def test_a_page_date_without_an_offset_is_a_day_and_with_one_a_moment():
    """htmldate's output: a day alone is not read as midnight; a stated offset is kept."""
    assert formats._html_date("2024-05-03T00:00:00") == (None, dt.date(2024, 5, 3))
    assert formats._html_date("2024-05-03T09:30:00+0100") == (
        dt.datetime(2024, 5, 3, 9, 30, tzinfo=LONDON),
        None,
    )
    assert formats._html_date("2024-13-45T00:00:00") == (None, None)
