"""Issue 11: a story's identity on import, and quote permalinks that survive re-imports.

End to end, through `import_articles` and the real pipeline: source keys (two feeds' own
``story.txt``, ``--source``, a different story under a known key), rows that follow their
words when a story changes, and 410 Gone for the permalink of a quote that left its story.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article, Event, Mention, Quote, RemovedQuote
from search.services import person_ids, quote_ids
from tests.factories import make_editor

pytestmark = pytest.mark.django_db

BRIDGE = (
    " date 2024-03-08 Minister opens new bridge\n\n"
    "The transport minister, Ms Ada Okafor, opened the bridge over the River Tane on Friday.\n\n"
    '"This bridge joins two communities," Ms Okafor said.\n\n'
    "The bridge cost 40 million pounds and took three years to build.\n\n"
    '"We waited a long time for this," said Tom Reid, a local councillor.\n\n'
    "Traffic is expected to fall by a third in the town centre.\n"
)
LIBRARY = (
    " date 2024-03-09 Library reopens after flood\n\n"
    "The central library reopened on Saturday after floods closed it for six months.\n\n"
    '"Every book had to be checked by hand," said the head librarian, Grace Mills.\n\n'
    "Volunteers from across the county helped to dry and sort the collection.\n"
)
REID = '"We waited a long time for this," said Tom Reid, a local councillor.\n\n'


@pytest.fixture(autouse=True)
def _quotes_are_public(settings):
    """The extractor is sure of these quotes; a threshold of 0 makes that explicit, so the
    permalinks are public once the article is."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.0
    settings.NEWSROOM_API_ANON_RATE = "100000/min"


def run_import(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", "-v2", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def summary_value(output, label):
    line = next(line for line in output.splitlines() if line.startswith(label))
    return int(line[len(label) :].split()[0])


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def quote_url(pk):
    return reverse("web:quote", kwargs={"pk": pk})


def api_quote_url(pk):
    return reverse("api:quote-detail", kwargs={"pk": pk})


def ids(model, article):
    return sorted(model.objects.filter(article=article).values_list("pk", flat=True))


# --- Defect 1: stories with the same file name ------------------------------------------------


def test_two_folders_with_a_story_txt_each_make_two_articles(tmp_path):
    """`import_articles feedA feedB`, both holding a story.txt: two articles, each with its
    own headline and quotes (before issue 11 the second replaced the first)."""
    write(tmp_path / "feedA", "story.txt", BRIDGE)
    write(tmp_path / "feedB", "story.txt", LIBRARY)
    code, out, err = run_import(tmp_path / "feedA", tmp_path / "feedB")
    assert code == 0, err
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Library reopens after flood",
        "Minister opens new bridge",
    ]
    articles = {a.source_key: a for a in Article.objects.all()}
    assert set(articles) == {"feedA/story.txt", "feedB/story.txt"}
    assert articles["feedA/story.txt"].title == "Minister opens new bridge"
    assert articles["feedB/story.txt"].title == "Library reopens after flood"
    assert {a.source_name for a in articles.values()} == {"story.txt"}
    assert set(Quote.objects.filter(article=articles["feedB/story.txt"]).values_list("text")) == {
        ("Every book had to be checked by hand,",)
    }
    assert Quote.objects.filter(article=articles["feedA/story.txt"]).count() == 2
    # Importing both again changes nothing.
    code, out, _ = run_import(tmp_path / "feedA", tmp_path / "feedB")
    assert code == 0 and out.count("unchanged") >= 2
    assert Article.objects.count() == 2


def test_a_file_named_directly_is_keyed_by_its_name(tmp_path):
    """A file named on the command line keeps its bare name as its key."""
    path = write(tmp_path / "feedA", "story.txt", BRIDGE)
    assert run_import(path)[0] == 0
    assert Article.objects.get().source_key == "story.txt"


def test_source_prefixes_every_key(tmp_path):
    """--source names the feed: its name and a colon prefix the keys, so two feeds whose
    folders have the same name never share a key."""
    write(tmp_path / "reuters" / "today", "story.txt", BRIDGE)
    write(tmp_path / "afp" / "today", "story.txt", LIBRARY)
    assert run_import("--source", "reuters", tmp_path / "reuters" / "today")[0] == 0
    assert run_import("--source", "afp", tmp_path / "afp" / "today")[0] == 0
    assert dict(Article.objects.values_list("source_key", "title")) == {
        "reuters:today/story.txt": "Minister opens new bridge",
        "afp:today/story.txt": "Library reopens after flood",
    }
    code, _, err = run_import("--source", "no/slashes", tmp_path / "afp")
    assert code == 1 and "--source" in err


def test_source_key_is_shown_in_the_admin_and_the_api(tmp_path, client):
    """Editors and partners see which story an article is: its key, not only a file name."""
    write(tmp_path / "reuters" / "today", "story.txt", BRIDGE)
    assert run_import("--publish", "--source", "reuters", tmp_path / "reuters" / "today")[0] == 0
    article = Article.objects.get()
    client.force_login(make_editor())
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "reuters:today/story.txt" in page.content.decode()
    api = APIClient().get(f"/api/v1/articles/{article.slug}/").json()
    assert api["source"]["key"] == "reuters:today/story.txt"
    assert api["source"]["name"] == "story.txt"


def test_a_different_story_under_a_known_key_is_refused_and_the_rest_import(tmp_path):
    """A file whose key belongs to an article but whose text is another story is refused,
    with a reason naming both; the article is untouched and the other files import."""
    feed = tmp_path / "feed"
    write(feed, "story.txt", BRIDGE)
    assert run_import(feed)[0] == 0
    bridge = Article.objects.get()
    quotes = ids(Quote, bridge)

    write(feed, "story.txt", LIBRARY)  # the wire reused the name for another story
    write(feed, "other.txt", LIBRARY.replace("Saturday", "Sunday"))
    code, out, err = run_import(feed)
    assert code == 1
    failure = next(line for line in err.splitlines() if "story.txt" in line)
    assert "refused" in failure and "feed/story.txt" in failure
    assert "Minister opens new bridge" in failure and "Library reopens after flood" in failure
    assert "not a revision" in failure
    bridge.refresh_from_db()
    assert bridge.title == "Minister opens new bridge" and "bridge" in bridge.body
    assert ids(Quote, bridge) == quotes
    assert Article.objects.filter(source_key="feed/other.txt").exists()
    assert "created" in out


def test_an_article_keyed_by_its_file_name_is_found_by_a_revision_from_a_folder(tmp_path):
    """Articles imported before source keys carry their file name as key: a revision of the
    story imported from its folder updates that article and moves it to the new key, while
    a different story of the same name becomes an article of its own."""
    assert run_import(write(tmp_path / "old", "story.txt", BRIDGE))[0] == 0
    legacy = Article.objects.get(source_key="story.txt")
    write(tmp_path / "feedA", "story.txt", BRIDGE.replace("three years", "four years"))
    write(tmp_path / "feedB", "story.txt", LIBRARY)
    code, out, err = run_import(tmp_path / "feedA", tmp_path / "feedB")
    assert code == 0, err
    legacy.refresh_from_db()
    assert legacy.source_key == "feedA/story.txt" and "four years" in legacy.body
    assert "was keyed story.txt" in out
    assert Article.objects.get(source_key="feedB/story.txt").title == "Library reopens after flood"


# --- Defect 2: quote permalinks across re-imports ---------------------------------------------


def test_changing_one_sentence_keeps_every_id_and_permalink(tmp_path, client):
    """Change one sentence and import again: the quotes keep their ids (their offsets
    follow the words), mentions and events too, and both permalinks still answer 200."""
    path = write(tmp_path / "feed", "story.txt", BRIDGE)
    assert run_import("--publish", path.parent)[0] == 0
    article = Article.objects.get()
    before = {model: ids(model, article) for model in (Quote, Mention, Event)}
    assert len(before[Quote]) == 2

    path.write_text(
        BRIDGE.replace(
            "opened the bridge over the River Tane on Friday.",
            "opened the long-awaited bridge over the River Tane on Friday morning.",
        ),
        encoding="utf-8",
    )
    code, out, err = run_import(path.parent)
    assert code == 0, err
    assert "updated" in out
    article.refresh_from_db()
    assert "long-awaited" in article.body
    assert ids(Quote, article) == before[Quote]
    assert {model: ids(model, article) for model in (Quote, Mention, Event)} == before
    for quote in Quote.objects.filter(article=article):
        assert article.body[quote.start : quote.end] == quote.text
        assert client.get(quote_url(quote.pk)).status_code == 200
        assert APIClient().get(api_quote_url(quote.pk)).status_code == 200
    assert not RemovedQuote.objects.exists()


def test_a_quote_removed_from_the_story_answers_410_with_its_article(tmp_path, client):
    """A quote whose words left the story is removed; its permalink answers 410 Gone with a
    link to the article, on the site and in the API, and the other quote stays."""
    path = write(tmp_path / "feed", "story.txt", BRIDGE)
    assert run_import("--publish", path.parent)[0] == 0
    article = Article.objects.get()
    reid = Quote.objects.get(text__startswith="We waited")
    okafor = Quote.objects.get(text__startswith="This bridge")

    path.write_text(BRIDGE.replace(REID, ""), encoding="utf-8")
    code, out, err = run_import(path.parent)
    assert code == 0, err
    assert not Quote.objects.filter(pk=reid.pk).exists()
    assert Quote.objects.filter(pk=okafor.pk).exists()
    assert summary_value(out, "quotes removed") == 1

    page = client.get(quote_url(reid.pk))
    assert page.status_code == 410
    html = page.content.decode()
    assert f'href="{article.get_absolute_url()}"' in html and article.title in html
    assert '<meta name="robots" content="noindex' in html
    response = APIClient().get(api_quote_url(reid.pk))
    assert response.status_code == 410
    body = response.json()
    assert body["id"] == reid.pk
    assert body["article"]["url"] == f"http://testserver{article.get_absolute_url()}"
    assert (body["article"]["id"], body["article"]["slug"]) == (article.pk, article.slug)
    assert body["detail"]
    assert client.get(quote_url(okafor.pk)).status_code == 200
    # The search index follows: the quote is gone, and Tom Reid, named nowhere else now, too.
    assert quote_ids("waited a long time") == []
    assert quote_ids("joins two communities") == [okafor.pk]
    assert person_ids("reid") == []


def test_a_removed_quote_of_a_draft_is_404_to_the_public(tmp_path, client):
    """Drafts never show through: the removed quote of an unpublished article is 404 to
    readers and anonymous API clients (editors get the 410); unknown ids are 404."""
    path = write(tmp_path / "feed", "story.txt", BRIDGE)
    assert run_import(path.parent)[0] == 0  # a draft
    reid = Quote.objects.get(text__startswith="We waited")
    path.write_text(BRIDGE.replace(REID, ""), encoding="utf-8")
    assert run_import(path.parent)[0] == 0
    assert RemovedQuote.objects.filter(pk=reid.pk).exists()

    assert client.get(quote_url(reid.pk)).status_code == 404
    assert APIClient().get(api_quote_url(reid.pk)).status_code == 404
    editor = APIClient()
    editor.force_authenticate(make_editor())
    assert editor.get(api_quote_url(reid.pk)).status_code == 410
    unknown = reid.pk + 1000
    assert client.get(quote_url(unknown)).status_code == 404
    assert APIClient().get(api_quote_url(unknown)).status_code == 404
    assert editor.get(api_quote_url(unknown)).status_code == 404


def test_a_quote_put_back_gets_a_new_permalink_and_the_old_one_stays_gone(tmp_path, client):
    """Ids are never reused: words that come back are a new quote, the old id stays 410."""
    path = write(tmp_path / "feed", "story.txt", BRIDGE)
    assert run_import("--publish", path.parent)[0] == 0
    reid = Quote.objects.get(text__startswith="We waited")
    path.write_text(BRIDGE.replace(REID, ""), encoding="utf-8")
    run_import(path.parent)
    path.write_text(BRIDGE.replace("Traffic", "Road traffic"), encoding="utf-8")
    run_import(path.parent)
    back = Quote.objects.get(text__startswith="We waited")
    assert back.pk != reid.pk
    assert client.get(quote_url(back.pk)).status_code == 200
    assert client.get(quote_url(reid.pk)).status_code == 410
