"""Canonical quotes (issue 15, point 1): the same words in several stories are one quote,
with its occurrences, where it was first reported and whether the speakers agree."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import canonical
from articles.importing import import_sources
from articles.models import Article, CanonicalQuote, Quote, QuoteKey
from articles.sources import SourceFile
from extraction import canonical as words_of
from tests.factories import make_article, make_person, make_quote

pytestmark = pytest.mark.django_db

SENTENCE = "We will build this bridge before the end of the decade and nobody will stop us"


def day(n: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2024, 5, n, 9, 30))


def quote_in(text, *, published=True, when=None, speaker=None, **fields):
    status = Article.Status.PUBLISHED if published else Article.Status.DRAFT
    article = make_article(body=text, status=status, published_at=when)
    return make_quote(article, text=text, speaker=speaker, **fields)


def group(*quotes):
    canonical.group_quotes(quotes=list(quotes))
    return [Quote.objects.get(pk=q.pk).canonical_id for q in quotes]


# --- The words (pure) ------------------------------------------------------------------------


def test_normalised_words_ignore_case_punctuation_quote_marks_spacing_and_placeholders():
    """Case, punctuation, curly or straight quote marks, spacing and bracketed placeholders
    do not change a quote's words or fingerprint."""
    a = words_of.words("“We’re SO proud of it,”  she [two love heart emojis] said…")
    b = words_of.words('"we\'re so proud of it" -- she said')
    assert a == b == ("were", "so", "proud", "of", "it", "she", "said")
    assert words_of.fingerprint(a) == words_of.fingerprint(b) != ""


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        (SENTENCE, SENTENCE.upper() + "!", "exact"),
        (SENTENCE, "Mark my words: " + SENTENCE + ", he said", "contained"),
        (SENTENCE, SENTENCE.replace("decade", "decades"), "near"),
        (SENTENCE, SENTENCE.replace("nobody will", "no one can"), None),
        (SENTENCE, "It was a dream come true for all of us here tonight", None),
        ("Thank you so much", "Thank you so much", None),  # too short to group
    ],
)
def test_relation(a, b, kind):
    """Exact, contained and near-duplicate words match; other words and short quotes don't."""
    assert words_of.relation(words_of.words(a), words_of.words(b)) == kind


def test_a_contained_quote_shares_a_key_with_its_container():
    """Winnowing: any run of GUARANTEED_RUN shared words shares a key, whatever surrounds it
    (so containment is found by the indexed lookup, never by comparing all pairs)."""
    long = words_of.words("Before the vote the minister said " + SENTENCE + " to loud cheers")
    for start in range(len(long) - words_of.GUARANTEED_RUN):
        part = long[start : start + words_of.GUARANTEED_RUN]
        assert words_of.shingle_keys(part) & words_of.shingle_keys(long)


# --- Grouping --------------------------------------------------------------------------------


def test_exact_normalised_near_and_contained_quotes_share_one_group():
    """The same sentence, differently punctuated, with a typo, or inside a longer quote, is
    one canonical quote; other words are another."""
    first = quote_in(SENTENCE + ".", when=day(1))
    shouted = quote_in(f"“{SENTENCE.upper()}!”", when=day(2))
    typo = quote_in(SENTENCE.replace("decade", "decad"), when=day(3))
    longer = quote_in("Hear me now. " + SENTENCE + ", whatever they say.", when=day(4))
    other = quote_in("The council has not yet approved the money for the new road", when=day(5))
    ids = group(first, shouted, typo, longer, other)
    assert ids[0] == ids[1] == ids[2] == ids[3] != ids[4]
    assert CanonicalQuote.objects.count() == 2
    # The editors' label is the longest occurrence.
    assert CanonicalQuote.objects.get(pk=ids[0]).text.startswith("Hear me now.")


def test_grouping_is_incremental_across_calls():
    """A quote grouped later joins the existing group found by its keys."""
    first = quote_in(SENTENCE, when=day(1))
    (gid,) = group(first)
    later = quote_in("He told us: " + SENTENCE, when=day(9))
    assert group(later) == [gid]
    assert QuoteKey.objects.filter(quote=later).exists()
    # The longer occurrence becomes the editors' label; the group's creation is recorded.
    assert CanonicalQuote.objects.get(pk=gid).text == later.text
    assert CanonicalQuote.history.filter(id=gid, history_type="+").exists()


def test_short_quotes_stay_alone():
    """“Thank you so much” from two people is not one quote."""
    a, b = quote_in("Thank you so much"), quote_in("Thank you so much")
    ids = group(a, b)
    assert ids[0] != ids[1]


def test_speakers_agreed_or_flagged_for_review():
    """Occurrences naming one speaker give the group that speaker; different speakers
    flag it for review (rejected occurrences aside)."""
    rose, giovanni = make_person("Rose Ayling-Ellis"), make_person("Giovanni Pernice")
    a = quote_in(SENTENCE, speaker=rose)
    b = quote_in(SENTENCE, speaker=rose)
    (gid, _) = group(a, b)
    g = CanonicalQuote.objects.get(pk=gid)
    assert (g.speaker, g.speaker_disputed) == (rose, False)
    c = quote_in(SENTENCE, speaker=giovanni)
    group(c)
    g.refresh_from_db()
    assert (g.speaker, g.speaker_disputed) == (None, True)
    assert list(CanonicalQuote.objects.needs_review()) == [g]
    Quote.objects.filter(pk=c.pk).update(status=Quote.Status.REJECTED)
    canonical.refresh_speakers(group_ids=[gid])
    g.refresh_from_db()
    assert (g.speaker, g.speaker_disputed) == (rose, False)


def test_an_editor_correcting_the_speaker_settles_the_dispute():
    """Correcting a quote's speaker (the review services) updates its group's agreement;
    so does merging two records of one person."""
    from articles import services

    rose, giovanni = make_person("Rose Ayling-Ellis"), make_person("Giovanni Pernice")
    a, b = quote_in(SENTENCE, speaker=rose), quote_in(SENTENCE, speaker=giovanni)
    gid, _ = group(a, b)
    assert CanonicalQuote.objects.get(pk=gid).speaker_disputed
    services.quote_set_speaker(quote=Quote.objects.get(pk=b.pk), speaker=rose)
    g = CanonicalQuote.objects.get(pk=gid)
    assert (g.speaker, g.speaker_disputed) == (rose, False)

    twin = make_person("Rose Ayling Ellis")
    c = quote_in(SENTENCE, speaker=twin)
    group(c)
    assert CanonicalQuote.objects.get(pk=gid).speaker_disputed
    services.person_merge(source=twin, target=rose)
    g = CanonicalQuote.objects.get(pk=gid)
    assert (g.speaker, g.speaker_disputed) == (rose, False)


# --- Editors: split and merge ---------------------------------------------------------------


def test_split_and_merge_services_keep_history(django_user_model):
    """Split moves quotes to a new group, merge brings groups together; both are recorded
    in the quotes' and groups' history, and both groups are kept by a rebuild."""
    user = django_user_model.objects.create_user("boss", is_staff=True)
    a, b, c = (quote_in(SENTENCE, when=day(n)) for n in (1, 2, 3))
    gid, *_ = group(a, b, c)
    new = canonical.split_quotes(quotes=[Quote.objects.get(pk=c.pk)], user=user)
    assert new.locked and Quote.objects.get(pk=c.pk).canonical_id == new.pk
    assert Quote.objects.get(pk=a.pk).canonical_id == gid
    record = Quote.history.filter(id=c.pk).latest("history_date")
    assert record.canonical_id == new.pk and record.history_user == user
    assert record.history_change_reason == canonical.SPLIT_REASON

    out = StringIO()
    call_command("rebuild_canonical_quotes", stdout=out)
    assert Quote.objects.get(pk=c.pk).canonical_id == new.pk  # the editor's split holds
    assert Quote.objects.get(pk=a.pk).canonical_id == Quote.objects.get(pk=b.pk).canonical_id
    assert "3 quotes" in out.getvalue()

    old = CanonicalQuote.objects.get(pk=Quote.objects.get(pk=a.pk).canonical_id)
    canonical.merge_groups(sources=[new], target=old, user=user)
    assert set(old.occurrences.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    assert not CanonicalQuote.objects.filter(pk=new.pk).exists()
    assert CanonicalQuote.history.filter(id=new.pk, history_type="-").exists()


def test_split_refuses_a_whole_group_or_two_groups():
    a, b = quote_in(SENTENCE), quote_in("The council has not yet approved the money for it")
    group(a, b)
    with pytest.raises(canonical.CanonicalError):
        canonical.split_quotes(quotes=[Quote.objects.get(pk=a.pk)])
    with pytest.raises(canonical.CanonicalError):
        canonical.split_quotes(quotes=list(Quote.objects.filter(pk__in=[a.pk, b.pk])))


def test_editor_splits_and_merges_in_the_admin(editor_client):
    """A staff editor (not a superuser) splits quotes off and merges groups with the admin
    actions; the group's page lists its occurrences."""
    a, b = quote_in(SENTENCE, when=day(1)), quote_in(SENTENCE, when=day(2))
    gid, _ = group(a, b)
    page = editor_client.get(f"/admin/articles/canonicalquote/{gid}/change/")
    assert page.status_code == 200
    assert f"/admin/articles/quote/{a.pk}/change/" in page.content.decode()
    listed = editor_client.get(f"/admin/articles/quote/?canonical__exact={gid}")
    assert listed.status_code == 200
    editor_client.post(
        "/admin/articles/quote/", {"action": "split_canonical", "_selected_action": [b.pk]}
    )
    split = Quote.objects.get(pk=b.pk).canonical_id
    assert split != gid
    editor_client.post(
        "/admin/articles/canonicalquote/",
        {"action": "merge", "_selected_action": [gid, split]},
    )
    assert Quote.objects.get(pk=b.pk).canonical_id == gid
    assert editor_client.get("/admin/articles/canonicalquote/?disputed=yes").status_code == 200


def test_the_public_cannot_reach_the_groups_admin(client):
    assert client.get("/admin/articles/canonicalquote/").status_code == 302


# --- The import ------------------------------------------------------------------------------


def story(tmp_path, name, *, title, when, lede):
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{when}"></head><body><main><article>
<h1>{title}</h1>
<p>{lede}</p>
<p>"{SENTENCE}," Mr Hughes said at a packed meeting in the town hall.</p>
<p>Work is due to start next spring, according to the Department for Transport.</p>
</article></main></body></html>"""
    path = tmp_path / name
    path.write_text(html)
    return SourceFile(path, name)


@pytest.fixture
def two_stories(tmp_path, settings):
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.0
    early = story(
        tmp_path,
        "early.html",
        title="Minister promises new bridge for Harwich",
        when="2024-05-03T09:30:00+01:00",
        lede="The transport minister, Alan Hughes, promised a new bridge for Harwich.",
    )
    late = story(
        tmp_path,
        "late.html",
        title="Bridge row: minister stands firm",
        when="2024-05-10T09:30:00+01:00",
        lede="The transport minister, Alan Hughes, stood by his bridge on Friday.",
    )
    return early, late


@pytest.mark.parametrize("together", [True, False])
def test_import_of_two_stories_quoting_one_sentence_makes_one_group(two_stories, together):
    """Imported in one batch or one after the other (the later story first), two stories
    quoting the same sentence give one group of two occurrences, first reported in the
    earlier story."""
    early, late = two_stories
    if together:
        import_sources([early, late], publish=True)
    else:
        import_sources([late], publish=True)
        import_sources([early], publish=True)
    quotes = list(Quote.objects.filter(text__contains="nobody will stop us"))
    assert len(quotes) == 2
    assert quotes[0].canonical_id == quotes[1].canonical_id is not None
    assert CanonicalQuote.objects.get().occurrences.count() == 2
    first = Article.objects.get(source_key="early.html")
    data = _api_group(quotes[0].canonical_id)
    assert data["first_reported_in"]["slug"] == first.slug
    assert data["occurrence_count"] == 2
    # The history the import wrote records the group.
    assert Quote.history.filter(id=quotes[0].pk, canonical_id=quotes[0].canonical_id).exists()


def test_reimport_without_the_quote_empties_its_group(two_stories, tmp_path):
    """A quote that left its story takes its keys along; a group left empty is deleted."""
    early, _ = two_stories
    import_sources([early], publish=True)
    gid = Quote.objects.get(text__contains="nobody").canonical_id
    early.path.write_text(early.path.read_text().replace(SENTENCE, "Nothing to add"))
    import_sources([early], publish=True)
    assert not CanonicalQuote.objects.filter(pk=gid).exists()
    assert not QuoteKey.objects.filter(quote__text__contains="nobody").exists()


# --- Public pages and the API ---------------------------------------------------------------


def _api_group(gid, client=None):
    response = (client or Client()).get(f"/api/v1/canonical-quotes/{gid}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_quote_api_has_the_canonical_field(client):
    a, b = quote_in(SENTENCE, when=day(1)), quote_in(SENTENCE, when=day(2))
    gid, _ = group(a, b)
    detail = client.get(f"/api/v1/quotes/{a.pk}/").json()
    assert detail["canonical"] == gid
    listed = client.get("/api/v1/quotes/").json()["results"]
    assert {row["canonical"] for row in listed} == {gid}
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/canonical-quotes/{id}/" in schema["paths"]


def test_permalink_and_api_show_every_public_occurrence_first_reported_first(client):
    """The permalink lists each public report with a link to its article, and says where
    it was first reported; the API group says the same."""
    rose = make_person("Rose Ayling-Ellis")
    late = quote_in(SENTENCE, when=day(9), speaker=rose)
    early = quote_in(SENTENCE + "!", when=day(2), speaker=rose)
    gid, _ = group(late, early)
    page = client.get(late.get_absolute_url()).content.decode()
    assert "Reported in 2 stories" in page
    first_reported = re.search(r'class="first-reported">(.*?)</p>', page, re.S).group(1)
    assert early.article.title in first_reported
    assert early.article.get_absolute_url() in page and late.article.get_absolute_url() in page
    data = _api_group(gid)
    assert [o["id"] for o in data["occurrences"]] == [early.pk, late.pk]
    assert data["speaker"]["slug"] == rose.slug and data["speaker_disputed"] is False


def test_drafts_never_show_in_a_group(editor_client):
    """An occurrence in an unpublished story is not listed, does not count as first
    reported, and a group of drafts alone answers 404 to the public (editors see it)."""
    draft = quote_in(SENTENCE, published=False, when=day(1))
    public = quote_in(SENTENCE + ".", when=day(5))
    other = quote_in(SENTENCE + "?", when=day(6))
    gid, *_ = group(draft, public, other)
    data = _api_group(gid)
    assert [o["id"] for o in data["occurrences"]] == [public.pk, other.pk]
    assert data["first_reported_in"]["id"] == public.article_id
    client = Client()  # anonymous (``editor_client`` is the logged-in ``client``)
    page = client.get(public.get_absolute_url()).content.decode()
    assert draft.article.title not in page and draft.article.slug not in page

    hidden = quote_in(
        "Only a draft says this sentence of eleven whole words today", published=False
    )
    (hid,) = group(hidden)
    assert client.get(f"/api/v1/canonical-quotes/{hid}/").status_code == 404
    assert editor_client.get(f"/api/v1/canonical-quotes/{hid}/").status_code == 200
    assert len(_api_group(gid, editor_client)["occurrences"]) == 3


def test_a_single_occurrence_lists_no_others(client):
    quote = quote_in(SENTENCE, when=day(1))
    group(quote)
    assert "Reported in" not in client.get(quote.get_absolute_url()).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_occurrences(client):
    """The permalink and the group endpoint read the occurrences in one query, however
    many there are."""
    a, b = quote_in(SENTENCE, when=day(1)), quote_in(SENTENCE, when=day(2))
    gid, _ = group(a, b)
    small = (
        _queries(client, a.get_absolute_url()),
        _queries(client, f"/api/v1/canonical-quotes/{gid}/"),
    )
    from articles.content_version import bump_content_version

    group(*(quote_in(SENTENCE, when=day(n), speaker=make_person(f"P{n}")) for n in range(3, 9)))
    bump_content_version()
    big = (
        _queries(client, a.get_absolute_url()),
        _queries(client, f"/api/v1/canonical-quotes/{gid}/"),
    )
    assert big == small
    assert "Reported in 8 stories" in client.get(a.get_absolute_url()).content.decode()


def test_rebuild_groups_an_existing_archive():
    """Quotes stored before the groups existed (no keys, no group) are grouped in bulk."""
    quotes = [quote_in(SENTENCE, when=day(n)) for n in (3, 1, 2)]
    quotes.append(quote_in("A different sentence entirely, spoken by another person", when=day(4)))
    Quote.objects.update(fingerprint="")
    out = StringIO()
    call_command("rebuild_canonical_quotes", "--chunk", "2", stdout=out)
    ids = [Quote.objects.get(pk=q.pk).canonical_id for q in quotes]
    assert ids[0] == ids[1] == ids[2] != ids[3] and None not in ids
    assert Quote.objects.filter(fingerprint="").count() == 0
    assert "4 quotes in 2 canonical quotes" in out.getvalue()


def test_grouping_runs_a_constant_number_of_queries_per_batch():
    """Grouping a batch costs the same few queries for 2 quotes as for 12 (no query per
    quote, no pairwise scan), against an archive that already has groups."""
    group(quote_in(SENTENCE, when=day(1)))
    group(*(quote_in(SENTENCE + f" {n}", when=day(1)) for n in range(3)))

    def cost(quotes):
        with CaptureQueriesContext(connection) as queries:
            canonical.group_quotes(quotes=quotes)
        return len(queries)

    small = [quote_in(SENTENCE, when=day(2)), quote_in("Another sentence of more than six words")]
    # Each batch has quotes the archive holds word for word (their keys are only counted)
    # and quotes it does not (their keys' postings are read).
    many = [quote_in(SENTENCE + "!", when=day(3)) for _ in range(6)] + [
        quote_in(f"Quite another sentence number {n} said by someone else") for n in range(6)
    ]
    assert cost(many) == cost(small)


def test_key_reads_touch_the_key_index_alone():
    """The postings and counts of keys are read from the (key, quote) index alone: the
    keys' ordering by "quote" once joined the quote and its article for every posting
    read, a cost per posting that the growth bench of issue 13 showed."""
    group(quote_in(SENTENCE, when=day(1)))
    exact = quote_in(SENTENCE + "!", when=day(2))
    other = quote_in(f"He said {SENTENCE} again", when=day(2))
    with CaptureQueriesContext(connection) as queries:
        canonical.group_quotes(quotes=[exact, other])
    key_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "articles_quotekey" in q["sql"]
    ]
    assert len(key_reads) == 2  # the postings of the new words, the counts of the exact's
    for sql in key_reads:
        assert "articles_article" not in sql and '"articles_quote"' not in sql, sql


def test_an_exact_repeat_joins_the_oldest_group_holding_its_words():
    """Ties among exact matches go to the oldest group, however many later quotes another
    group holds: the old code ranked only the 20 lowest quote ids it happened to read, so
    a repeat joined the newer group here."""
    older = CanonicalQuote.objects.create(text=SENTENCE, locked=True)  # an editor's split
    (newer,) = set(group(*(quote_in(SENTENCE, when=day(1)) for _ in range(25))))
    assert newer > older.pk
    quote_in(SENTENCE, when=day(2), canonical=older, fingerprint="")  # saved: computed
    assert group(quote_in(f"“{SENTENCE}!”", when=day(3))) == [older.pk]


def test_an_exact_repeat_is_grouped_without_reading_the_quotes_it_repeats():
    """A quote the archive holds word for word costs one probe of the (fingerprint, group)
    index, whatever the number of stories that repeated it: the old code read every
    matching quote (up to 9,000 rows a chunk), then the texts of the oldest 20."""
    (gid,) = set(group(*(quote_in(SENTENCE, when=day(1)) for _ in range(30))))
    repeat = quote_in(SENTENCE + ".", when=day(2))
    with CaptureQueriesContext(connection) as queries:
        canonical.group_quotes(quotes=[repeat])
    assert Quote.objects.get(pk=repeat.pk).canonical_id == gid
    quote_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("SELECT", "WITH"))
        and re.search(r"FROM \S*articles_quote\b", q["sql"])
    ]
    # The group's probe; then group_quotes reads the group's speakers (refresh_speakers).
    assert not any('"text"' in sql for sql in quote_reads), quote_reads
    probes = [sql for sql in quote_reads if sql.startswith("WITH")]
    assert len(probes) == 1 and "LIMIT 1" in probes[0]


def test_common_keys_are_capped_and_exact_words_still_found(monkeypatch):
    """Even when no posting of a key is read (the cap, hit by a stock phrase's shingles),
    the indexed fingerprint still finds the same words; a contained quote then is not."""
    monkeypatch.setattr(canonical, "MAX_POSTINGS", 0)
    first = quote_in(SENTENCE, when=day(1))
    (gid,) = group(first)
    assert group(quote_in(f"“{SENTENCE}.”", when=day(5))) == [gid]
    assert group(quote_in(f"He said {SENTENCE}", when=day(6))) != [gid]


def test_a_stock_phrases_keys_are_not_read_and_rarer_keys_still_group(monkeypatch):
    """A key held by MAX_POSTINGS quotes (a stock phrase's shingle) is counted, not read:
    reading its quotes made every later quote cost as many rows per key (issue 13's growth
    bench). A quote repeating another through rarer words is still grouped with it (a quote
    that only stock keys led to would go ungrouped: each candidate would still be
    checked word by word, so this may cost a missed group, never a wrong one)."""
    monkeypatch.setattr(canonical, "MAX_POSTINGS", 3)
    stock = "at the end of the day we all want the same thing"
    endings = ("said the mayor", "the fans agreed", "as he told us")
    holders = group(*(quote_in(f"{stock} {words}", when=day(1)) for words in endings))
    assert len(set(holders)) == 3
    (original,) = group(quote_in(f"{stock} the new bridge opens next spring", when=day(2)))

    full = {
        key
        for key, n in QuoteKey.objects.values_list("key").annotate(n=Count("quote")).order_by()
        if n >= 3
    }
    with CaptureQueriesContext(connection) as queries:
        repeat = group(quote_in(f"{stock} the new bridge opens next spring again", when=day(3)))
    assert repeat == [original]  # near: one word more, found by its rarer keys
    postings = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and "articles_quotekey" in q["sql"]
        and "COUNT(" not in q["sql"].upper()
    ]
    assert full and postings
    for sql in postings:
        assert not any(re.search(rf"\b{key}\b", sql) for key in full), sql


def test_a_key_held_by_enough_quotes_is_not_given_more(monkeypatch):
    """Postings stop growing at MAX_POSTINGS (issue 13's growth bench: every import read
    the whole list of a stock phrase's key, so the cost per article grew with the archive).
    The quotes are still grouped, through their other keys and the fingerprint."""
    monkeypatch.setattr(canonical, "MAX_POSTINGS", 2)
    quotes = [quote_in(SENTENCE) for _ in range(4)]
    for quote in quotes:
        group(quote)
    per_key = {}
    for key in QuoteKey.objects.values_list("key", flat=True):
        per_key[key] = per_key.get(key, 0) + 1
    assert per_key and max(per_key.values()) == 2
    assert len({q.canonical_id for q in Quote.objects.all()}) == 1


def test_quotes_joining_a_group_at_import_update_its_agreement(tmp_path):
    """At import the agreement of an existing group follows the speakers of the quotes that
    join it, without reading the group's other quotes."""
    rose, giovanni = make_person("Rose Ayling-Ellis"), make_person("Giovanni Pernice")
    (gid,) = group(quote_in(SENTENCE, speaker=rose))
    assert CanonicalQuote.objects.get(pk=gid).speaker == rose
    canonical.add_speakers(joined={gid: {rose.pk}})
    g = CanonicalQuote.objects.get(pk=gid)
    assert (g.speaker, g.speaker_disputed) == (rose, False)
    canonical.add_speakers(joined={gid: {giovanni.pk}})
    g.refresh_from_db()
    assert (g.speaker, g.speaker_disputed) == (None, True)


def test_the_candidates_ranked_are_those_sharing_most_keys_oldest_first_among_equals():
    """``_top`` picks what ``heapq.nsmallest`` with the ranking key picked, ties included."""
    import heapq
    import random
    from collections import Counter

    from articles.canonical import CANDIDATES, _most_shared_first, _most_shared_nearby, _top

    rng = random.Random(13)
    for size in (0, 3, CANDIDATES, CANDIDATES + 1, 300):
        for _ in range(20):
            shared = Counter(
                {rng.randrange(-5000, 5000): rng.choice([1, 1, 1, 2, 3, 7]) for _ in range(size)}
            )
            assert _top(shared) == heapq.nsmallest(
                CANDIDATES, shared.items(), key=_most_shared_first
            )
            assert _top(shared, newest=True) == heapq.nsmallest(
                CANDIDATES, shared.items(), key=_most_shared_nearby
            )
