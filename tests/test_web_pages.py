"""The public website's pages (issue 6): what each shows, and what it never shows."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from articles.models import Article, Quote
from articles.services import person_merge
from people.models import Alias
from tests.factories import (
    build_newsdesk,
    make_article,
    make_event,
    make_person,
    make_quote,
    make_quote_in,
    make_story,
    make_tag,
    newsdesk_pages,
)
from web.rendering import date_label, paragraph_spans, render_body, sentence_around
from web.search import clean_query, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return build_newsdesk()


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def main_of(page: str) -> str:
    return page.split('<main id="content"', 1)[1].split("</main>", 1)[0]


# --- Home -----------------------------------------------------------------------------


def test_home_lists_published_stories_latest_first_without_drafts(client, desk):
    """The home page lists published stories newest first, undated last, and no draft."""
    page = html(client.get("/"))
    assert page.index(desk.bafta.title) < page.index(desk.tour.title)
    assert "Embargoed" not in page
    assert "Date unknown" in page  # the tour story has no publication date


def test_home_is_paginated(client):
    """Twelve stories a page; page 2 holds the rest and links back."""
    for n in range(14):
        make_article(f"Story {n:02d}", published_at=timezone.now() - datetime.timedelta(hours=n))
    first = html(client.get("/"))
    second = html(client.get("/?page=2"))
    assert "Story 00" in first and "Story 11" in first and "Story 12" not in first
    assert "Story 12" in second and "Story 13" in second and "Page 2 of 2" in second
    assert 'rel="prev"' in second
    assert client.get("/?page=999").status_code == 200  # clamps to the last page
    assert client.get("/?page=abc").status_code == 200


def test_home_ranks_people_most_quoted_recently_without_rejected_or_draft_quotes(client, desk):
    """The "most quoted" box counts public quotes only, so the draft's speaker is absent."""
    page = html(client.get("/"))
    box = page.split('id="quoted-heading"', 1)[1].split("</aside>", 1)[0]
    assert "Rose Ayling-Ellis" in box and "Giovanni Pernice" in box
    assert "Hidden Draftperson" not in box
    assert "Amelia Hart" in box and "1 quote<" in box  # her rejected quote is not counted


def test_home_with_no_stories_says_so(client):
    """An empty desk shows a friendly message, not an error."""
    assert "No stories have been published yet" in html(client.get("/"))


# --- Article --------------------------------------------------------------------------


def test_article_shows_headline_standfirst_date_and_paragraphs(client, desk):
    """Headline, standfirst, date and each body paragraph appear in order."""
    page = main_of(html(client.get(desk.bafta.get_absolute_url())))
    assert "<h1>Rose Ayling-Ellis and Giovanni Pernice win BAFTA for silent dance</h1>" in page
    assert "must-see moment.</p>" in page
    assert '<time datetime="2022-05-08T21:30:00+01:00">8 May 2022</time>' in page
    assert page.count("<p>", page.index("story-body"), page.index("story-quotes")) == 5


def test_article_without_date_says_date_unknown(client, desk):
    """A story with no publication date says so."""
    assert "Publication date unknown" in html(client.get(desk.tour.get_absolute_url()))


def test_article_highlights_quotes_linked_to_permalinks(client, desk):
    """Each public quote is marked in the body and links to its permalink; a quote over two
    paragraphs is marked in both, with the anchor on the first part only."""
    page = main_of(html(client.get(desk.bafta.get_absolute_url())))
    body = page[page.index("story-body") : page.index("story-quotes")]
    rose = desk.rose_quote.get_absolute_url()
    assert body.count(f'<a class="quote" href="{rose}"') == 2
    assert body.count(f'id="quote-{desk.rose_quote.pk}"') == 1
    assert f'href="{desk.giovanni_quote.get_absolute_url()}"' in body
    assert "<mark>It is a very special moment" in body
    assert "<mark>&quot;It has even helped the BSL law" in body


def test_article_links_speakers_people_tags_and_events(client, desk):
    """Speakers and people link to their pages, tags to tag pages, events are listed."""
    page = main_of(html(client.get(desk.bafta.get_absolute_url())))
    assert 'href="/people/rose-ayling-ellis/">Rose Ayling-Ellis</a>' in page
    assert 'href="/people/giovanni-pernice/">Giovanni Pernice</a>' in page
    assert 'href="/tags/bafta-tv-awards/"' in page
    assert "Won a BAFTA TV Award for must-see moment" in page
    assert "December 2021" in page  # month precision


def test_article_never_shows_rejected_quotes_as_quotes(client, desk):
    """A rejected quote is neither highlighted nor listed; a labelled speaker shows its label."""
    page = main_of(html(client.get(desk.tour.get_absolute_url())))
    assert f"/quotes/{desk.rejected_quote.pk}/" not in page
    assert f"/quotes/{desk.label_quote.pk}/" in page
    assert "one fan" in page


def test_draft_article_is_not_found(client, desk):
    """A draft's URL answers 404 with the friendly page."""
    response = client.get(desk.draft.get_absolute_url())
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert "Nobody must know" not in response.content.decode()


def test_imported_markup_is_shown_as_text_everywhere(client, desk):
    """`<script>` in imported text is escaped on the article, search and people pages."""
    nasty = make_person('<script>alert("p")</script> Nasty')
    article = make_story(
        '<script>alert("t")</script> headline',
        ['Nasty said: "<script>alert(1)</script> is fine."'],
        standfirst="<img src=x onerror=alert(1)>",
    )
    quote = make_quote_in(article, "<script>alert(1)</script> is fine.", speaker=nasty)
    pages = [
        html(client.get(desk.tour.get_absolute_url())),
        html(client.get(article.get_absolute_url())),
        html(client.get(quote.get_absolute_url())),
        html(client.get("/people/")),
        html(client.get(nasty.get_absolute_url())),
        html(client.get("/search/?q=script")),
        html(client.get("/")),
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[0]


# --- People ---------------------------------------------------------------------------


def test_people_index_is_alphabetical_with_counts_and_only_public_people(client, desk):
    """People are listed by surname A–Z under letters with public quote and story counts;
    someone named only by a draft is absent."""
    page = main_of(html(client.get("/people/")))
    assert page.index("Rose Ayl") < page.index("Amelia Hart") < page.index("Giovanni Pernice")
    assert 'id="letter-a"' in page and 'id="letter-h"' in page and 'id="letter-p"' in page
    assert "Hidden Draftperson" not in page
    rose = page[page.index("Rose Ayling-Ellis") :]
    assert "1 quote · 1 story" in rose[:300]  # the draft's quote and story are not counted
    amelia = page[page.index("Amelia Hart") :]
    assert "1 quote · 1 story" in amelia[:300]  # her rejected quote is not counted


def test_person_page_shows_name_aliases_counts_and_timeline(client, desk):
    """A person's page has the name, aliases, counts and a dated timeline, newest first
    (issue 15: readers follow the latest)."""
    page = main_of(html(client.get(desk.rose.get_absolute_url())))
    assert "<h1>Rose Ayling-Ellis</h1>" in page
    assert '<span class="alias">Rose</span>' in page
    assert "<strong>1</strong> quote" in page and "<strong>1</strong> story" in page
    assert page.index("Won a BAFTA TV Award") < page.index("Lifted the Glitterball trophy")
    assert "It is a very special moment" in page
    assert "wedding" not in page and "not invited" not in page  # the draft


def test_person_timeline_puts_undated_items_last(client, desk):
    """Items with an unknown date come after every dated one, under "Date unknown"."""
    page = main_of(html(client.get(desk.fan.get_absolute_url())))
    assert "Date unknown" in page
    undated = make_story("Old undated story", ['Amelia Hart said: "Hello there."'])
    make_quote_in(undated, "Hello there.", speaker=desk.fan)
    dated = make_story(
        "Dated story",
        ['Amelia Hart said: "Dated words."'],
        published_at=timezone.make_aware(datetime.datetime(2020, 1, 1, 12)),
    )
    make_quote_in(dated, "Dated words.", speaker=desk.fan)
    page = main_of(html(client.get(desk.fan.get_absolute_url())))
    assert page.index("Dated words") < page.index("Date unknown") < page.index("Hello there")


def test_person_timeline_is_paginated_newest_first_with_undated_items_apart(client, db):
    """Over two pages (50 items a page; each quote and its story are two): page 1 opens
    with the newest item, every dated item comes before any undated one, and the undated
    ones are grouped under "Date unknown" on the last page only (issue 15)."""
    person = make_person("Paged Person")
    for n in range(26):
        story = make_story(
            f"Story {n:02d}",
            [f'Paged Person said: "Words {n:02d}."'],
            published_at=timezone.make_aware(datetime.datetime(2020, 1, 1) + datetime.timedelta(n)),
        )
        make_quote_in(story, f"Words {n:02d}.", speaker=person)
    for n in range(2):
        story = make_story(f"Undated {n}", [f'Paged Person said: "Undated {n}."'])
        make_quote_in(story, f"Undated {n}.", speaker=person)
    first = main_of(html(client.get(person.get_absolute_url())))
    assert first.index("Words 25") < first.index("Words 24") < first.index("Words 01")
    heading = '<h3 class="timeline-year">Date unknown</h3>'
    assert heading not in first and "Words 00" not in first
    last = main_of(html(client.get(person.get_absolute_url() + "?page=2")))
    assert "Words 01" not in last
    assert last.index("Words 00") < last.index(heading) < last.index("Undated 0")
    assert last.count(heading) == 1


def test_person_timeline_filters_by_year(client, desk):
    """`?year=2021` keeps only that year's items; an unknown year shows everything."""
    page = main_of(html(client.get(desk.rose.get_absolute_url() + "?year=2021")))
    assert "Lifted the Glitterball trophy" in page
    assert "Won a BAFTA TV Award" not in page
    assert "Timeline: 2021" in page
    everything = main_of(html(client.get(desk.rose.get_absolute_url() + "?year=1999")))
    assert "Won a BAFTA TV Award" in everything
    assert client.get(desk.rose.get_absolute_url() + "?year=<script>").status_code == 200


def test_person_named_only_by_drafts_is_not_found(client, desk):
    """Someone only a draft names has no public page yet."""
    assert client.get(desk.secret.get_absolute_url()).status_code == 404


def test_merged_person_old_slug_redirects(client, desk):
    """After a merge, the merged person's old URL redirects permanently to the kept one."""
    duplicate = make_person("Rose Ayling Ellis")
    person_merge(source=duplicate, target=desk.rose)
    response = client.get("/people/rose-ayling-ellis-2/")
    assert response.status_code == 301
    assert response["Location"] == desk.rose.get_absolute_url()
    assert Alias.objects.filter(person=desk.rose, text="Rose Ayling Ellis").exists()


# --- Quote permalink ------------------------------------------------------------------


def test_quote_page_shows_quote_speaker_article_date_and_context(client, desk):
    """The permalink shows the words, the speaker's link, the story, the date and the
    sentence around the quote."""
    page = main_of(html(client.get(desk.giovanni_quote.get_absolute_url())))
    assert "When we first thought of the idea" in page
    assert 'href="/people/giovanni-pernice/">Giovanni Pernice</a>' in page
    assert f'href="{desk.bafta.get_absolute_url()}#quote-{desk.giovanni_quote.pk}"' in page
    assert "8 May 2022" in page
    assert "Giovanni added: &quot;<mark>When we first" in page
    assert "impact.</mark>&quot;</p>" in page


def test_quote_page_share_links_are_plain_links(client, desk):
    """Share links are ordinary links carrying the permalink; no third-party script loads."""
    page = html(client.get(desk.rose_quote.get_absolute_url()))
    permalink = "http%3A%2F%2Ftestserver%2Fquotes%2F" + str(desk.rose_quote.pk)
    for host in ("twitter.com/intent/tweet", "facebook.com/sharer", "bsky.app", "wa.me"):
        assert re.search(rf'href="https://(www\.)?{re.escape(host)}[^"]*{permalink}', page), host
    assert 'href="mailto:?subject=' in page
    assert re.search(r"<script[^>]+src=", page) is None


def test_quote_page_for_unnamed_speaker_and_partial_quote(client, desk):
    """A quote without a named speaker shows its label; a partial quote says it is partial."""
    assert "one fan" in html(client.get(desk.label_quote.get_absolute_url()))
    assert "partial quote" in html(client.get(desk.partial_quote.get_absolute_url()))


def test_rejected_and_draft_quotes_are_not_found(client, desk):
    """Rejected quotes and quotes from drafts have no public permalink."""
    assert client.get(desk.rejected_quote.get_absolute_url()).status_code == 404
    assert client.get(desk.draft_quote.get_absolute_url()).status_code == 404


def test_quote_with_detached_offsets_still_has_a_page(client, desk):
    """When an edit detached a quote's offsets, its page shows the words without context."""
    quote = make_quote(desk.bafta, text="Words no longer in the body", start=0, end=10)
    page = html(client.get(quote.get_absolute_url()))
    assert "Words no longer in the body" in page and "In context" not in page
    article_page = html(client.get(desk.bafta.get_absolute_url()))
    assert f'id="quote-{quote.pk}"' not in article_page  # listed, but not highlighted
    assert "Words no longer in the body" in article_page


# --- Events and tags ------------------------------------------------------------------


def test_events_are_grouped_by_year_and_month_without_drafts(client, desk):
    """Events appear under year and month headings, in date order, undated last, no draft."""
    page = main_of(html(client.get("/events/")))
    assert page.index("<h2") < page.index(">2021</h2>") < page.index(">2022</h2>")
    assert page.index(">December</h3>") < page.index(">May</h3>")
    assert page.index(">2022</h2>") < page.index(">Date unknown</h2>")
    assert "Tour tickets sold out" in page
    assert "Secret wedding" not in page


def test_events_filter_by_person(client, desk):
    """`?person=<slug>` keeps only that person's events; an unknown slug is 404."""
    page = main_of(html(client.get("/events/?person=giovanni-pernice")))
    assert "Events with Giovanni Pernice" in page
    assert "Won a BAFTA TV Award" in page and "Tour tickets sold out" not in page
    assert client.get("/events/?person=nobody-at-all").status_code == 404


def test_events_person_choices_exclude_draft_only_people(client, desk):
    """The person filter offers only people with public events."""
    page = html(client.get("/events/"))
    assert 'value="rose-ayling-ellis"' in page
    assert "Hidden Draftperson" not in page


def test_tag_page_lists_its_published_stories(client, desk):
    """A tag page lists its published stories only, and links its feeds."""
    page = main_of(html(client.get(desk.strictly.get_absolute_url())))
    assert desk.bafta.title in page and desk.tour.title in page
    assert "Embargoed" not in page
    assert "/feeds/tags/strictly-come-dancing/rss/" in page
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_tag_of_drafts_only_answers_like_an_unknown_tag(client):
    """A tag only drafts use is not public (issue 12): 404, as for a slug that never existed."""
    tag = make_tag("Unused")
    make_article("Draft only", status=Article.Status.DRAFT).tags.add(tag)
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 404 == client.get("/tags/never-existed/").status_code
    assert "Unused" not in response.content.decode()


# --- Search ---------------------------------------------------------------------------


def test_search_groups_people_quotes_and_stories(client, desk):
    """A query finds people (by name or alias), quotes and stories, in three groups."""
    page = main_of(html(client.get("/search/?q=giovanni")))
    assert 'id="group-people_page">People' in page
    # Quotes are found by their words and by who said them.
    assert 'id="group-quotes_page">Quotes' in page
    assert 'id="group-articles_page">Stories' in page
    assert "<mark>Giovanni</mark> Pernice" in page
    quotes = main_of(html(client.get("/search/?q=PROUD")))
    assert "<mark>proud</mark>" in quotes and "We are so, so, so" in quotes


def test_search_never_finds_drafts_or_rejected_quotes(client, desk):
    """Draft stories, their quotes and people, and rejected quotes stay hidden from search."""
    for query in ("wedding", "Hidden Draftperson", "Tickets for the Strictly"):
        page = main_of(html(client.get("/search/", {"q": query})))
        assert "Embargoed" not in page and "Nobody must know" not in page
        assert f"/quotes/{desk.rejected_quote.pk}/" not in page
    assert "Hidden Draftperson" not in main_of(html(client.get("/search/?q=draftperson")))


@pytest.mark.parametrize(
    "query",
    ["%", "_", "\x00", "'; DROP TABLE articles_article; --", "<script>x</script>", "x" * 5000],
)
def test_search_survives_hostile_input(client, desk, query):
    """Wildcards, NUL bytes, SQL, markup and huge queries neither fail nor match everything."""
    page = html(client.get("/search/", {"q": query}))
    assert "<script>x" not in page
    if query in ("%", "_"):
        assert "0 results" in page


def test_search_paginates_each_group(client):
    """Each group pages on its own parameter, keeping the query."""
    for n in range(12):
        make_article(f"Glitter story {n}")
    page = html(client.get("/search/?q=glitter"))
    assert "Page 1 of 2" in page and "?q=glitter&amp;articles_page=2" in page
    assert "Page 2 of 2" in html(client.get("/search/?q=glitter&articles_page=2"))


def test_search_function_includes_drafts_only_when_asked(desk):
    """`search(include_drafts=True)` (for editors) finds drafts; rejected quotes never."""
    assert not search("wedding").articles.exists()
    found = search("wedding", include_drafts=True)
    assert list(found.articles) == [desk.draft]
    assert list(found.quotes) == [desk.draft_quote]
    assert not search("Tickets for the Strictly", include_drafts=True).quotes.exists()


def test_clean_query_drops_control_characters_and_limits_length():
    """Queries lose control characters and extra spaces and are cut to 200 characters."""
    assert clean_query("  a\x00b \t\n c ") == "a b c"
    assert len(clean_query("y" * 1000)) == 200
    assert clean_query(None) == ""


def test_empty_search_shows_the_form_only(client, desk):
    """Without a query the page offers the form and lists nothing."""
    page = html(client.get("/search/"))
    assert 'name="q"' in page and "result" not in main_of(page).split("</form>", 1)[1]


# --- Error pages ----------------------------------------------------------------------


def test_unknown_url_gets_friendly_404(client):
    """Unknown URLs answer 404 with the site's layout and ways back."""
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can’t find that page" in page and 'href="/people/"' in page


def test_500_page_needs_no_database_or_context(django_assert_num_queries):
    """The 500 page renders from an empty context without touching the database."""
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
        standalone = render_to_string("500.html")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "{%" not in standalone and "static" not in standalone


def test_pages_load_nothing_from_other_sites(client, desk):
    """Stylesheets, scripts and images are all local: the site works offline."""
    for url in ("/", desk.bafta.get_absolute_url(), desk.rose_quote.get_absolute_url()):
        page = html(client.get(url))
        resources = re.findall(r'<link rel="(?:stylesheet|icon)"[^>]+href="([^"]+)"', page)
        resources += re.findall(r'<(?:script|img|iframe)[^>]+src="([^"]+)"', page)
        assert resources
        for url_ in resources:
            assert url_.startswith("/") and not url_.startswith("//"), url_


def test_every_page_has_landmarks_skip_link_and_one_h1(client, desk):
    """Each page has header, nav, main and footer landmarks, a skip link and one h1."""
    for url in newsdesk_pages(desk):
        page = html(client.get(url))
        for landmark in ("<header", "<nav", '<main id="content"', "<footer"):
            assert landmark in page, (url, landmark)
        assert 'class="skip-link" href="#content"' in page
        assert len(re.findall(r"<h1[ >]", page)) == 1, url


# --- Rendering helpers ----------------------------------------------------------------


def test_paragraph_spans_split_on_blank_lines():
    """Paragraph offsets point at each paragraph's text; blank paragraphs are skipped."""
    body = "One.\n\nTwo.\n\n\n\nThree."
    assert [body[s:e] for s, e in paragraph_spans(body)] == ["One.", "Two.", "Three."]


def test_render_body_escapes_and_skips_overlapping_quotes():
    """Text around quotes is escaped, and a quote overlapping an earlier one is not marked."""
    body = "<b>Hi</b> and she said nothing & left."
    article = make_article(body=body)
    first = make_quote(article, text="and she said", start=10)
    make_quote(article, text="said nothing", start=18)
    rendered = render_body(body, list(Quote.objects.filter(article=article)))
    assert len(rendered) == 1
    assert rendered[0].html.startswith("&lt;b&gt;Hi&lt;/b&gt; <a")
    assert rendered[0].quote_ids == (first.pk,)
    assert "&amp; left." in rendered[0].html


def test_sentence_around_returns_the_surrounding_sentence():
    """The context is the sentence holding the quote, not the whole paragraph."""
    body = 'First sentence. She said: "Quoted words," smiling. Another one.'
    start = body.index("Quoted")
    before, quoted, after = sentence_around(body, start, start + len("Quoted words,"))
    assert (before, quoted, after) == ('She said: "', "Quoted words,", '" smiling.')
    assert sentence_around(body, 5, 500) is None


def test_multi_paragraph_quote_stored_without_reopening_marks_still_fits():
    """A quote over two paragraphs, stored as the importer does (no reopening quotation
    mark, one space between paragraphs), is still highlighted in both paragraphs."""
    body = 'She said: "First part.\n\n"Second part." Then left.'
    article = make_article(body=body)
    start, end = body.index("First"), body.index('." Then') + 1
    quote = make_quote(article, text="First part. Second part.", start=start, end=end)
    rendered = render_body(body, [quote])
    assert [p.quote_ids for p in rendered] == [(quote.pk,), (quote.pk,)]
    assert "<mark>&quot;Second part.</mark>" in rendered[1].html


def test_date_label_follows_precision():
    """Dates read "8 May 2022", "May 2022", "2022" or "date unknown" by precision."""
    day = datetime.date(2022, 5, 8)
    assert date_label(day) == "8 May 2022"
    assert date_label(day, "month") == "May 2022"
    assert date_label(day, "year") == "2022"
    assert date_label(None) == "date unknown"


def test_year_precision_events_group_under_the_year(client):
    """An event known only by its year sits under "During the year"."""
    article = make_article("Year story")
    make_event(
        article, summary="Something in 2019", date=datetime.date(2019, 1, 1), date_precision="year"
    )
    page = html(client.get(reverse("web:events")))
    assert "During the year" in page and "Something in 2019" in page


# --- Real seed stories ----------------------------------------------------------------


def test_imported_seed_stories_render_on_every_page(client, imported_seeds):
    """The five seed stories, imported through the real pipeline, render everywhere: each
    story with its quotes highlighted at their offsets, each quote permalink with its
    context, each person named, and the index, events, feed and sitemap pages."""
    from web.queries import public_people

    assert len(imported_seeds) == 5
    highlighted = 0
    for article in imported_seeds.values():
        page = html(client.get(article.get_absolute_url()))
        for quote in Quote.objects.public().filter(article=article):
            assert f'href="{quote.get_absolute_url()}"' in page
            assert f'id="quote-{quote.pk}"' in page  # highlighted at its offsets
            highlighted += 1
            quote_page = html(client.get(quote.get_absolute_url()))
            assert "In context" in quote_page
    assert highlighted >= 10
    people = list(public_people())
    assert people
    index = html(client.get("/people/"))
    for person in people:
        assert person.get_absolute_url() in index
        assert person.name in html(client.get(person.get_absolute_url()))
    for url in ("/", "/events/", "/feeds/articles/rss/", "/sitemap.xml", "/search/?q=the"):
        assert client.get(url).status_code == 200


# --- Hardening (issue 12) ---------------------------------------------------------------


def test_person_page_with_an_odd_digit_year_ignores_it(client, desk):
    """``?year=¹`` is not a year: str.isdigit() accepts it but int() does not (was a 500)."""
    response = client.get(f"/people/{desk.rose.slug}/", {"year": "¹"})
    assert response.status_code == 200


def test_people_index_cursor_reaches_anonymous_readers_through_the_page_cache(client):
    """The response cache keeps only the query parameters a page reads: the people index's
    cursor (``?after=``) must be one of them, or every page would be the first."""
    lines = [f'Person {n:03d} Example said: "Words number {n}."' for n in range(105)]
    story = make_story("A crowded story", lines)
    for n in range(105):
        person = make_person(f"Person {n:03d} Example")
        make_quote_in(story, f"Words number {n}.", speaker=person)
    first = html(client.get("/people/"))
    assert "Person 000 Example" in first
    assert "Person 104 Example" not in first
    later = html(client.get("/people/", {"after": "person-099-example"}))
    assert "Person 104 Example" in later
    assert "Person 000 Example" not in later
