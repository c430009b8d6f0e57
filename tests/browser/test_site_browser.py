"""The public website in a real browser (issue 6): a reader's walk, layouts from phone to
desktop, keyboard use, and an axe-core accessibility audit (axe bundled offline by the
`axe-playwright-python` package)."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tests.factories import build_newsdesk, make_quote_in, make_story

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = {"phone": 375, "desktop": 1280}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def desk():
    desk = build_newsdesk()
    for n in range(5):
        story = make_story(
            f"Strictly week {n + 1}: a dazzling Argentine tango tops the leaderboard",
            [
                "The couples took to the floor for another Saturday night of sequins.",
                f'Rose Ayling-Ellis said: "Week {n + 1} felt like a dream, honestly."',
            ],
            standfirst="The judges handed out the first perfect scores of the series.",
            published_at=timezone.now() - datetime.timedelta(days=n + 1),
            tags=[desk.strictly],
        )
        make_quote_in(story, f"Week {n + 1} felt like a dream, honestly.", speaker=desk.rose)
    return desk


def page_paths(desk):
    return {
        "home": "/",
        "article": desk.bafta.get_absolute_url(),
        "people": "/people/",
        "person": desk.rose.get_absolute_url(),
        "quote": desk.rose_quote.get_absolute_url(),
        "events": "/events/",
        "tag": desk.strictly.get_absolute_url(),
        "tags": "/tags/",
        "search": "/search/?q=rose",
        "not-found": "/no/such/page/",
    }


def test_reader_walks_home_article_person_quote_events(live_server, page, desk):
    """A reader clicks from the home page to a story, its speaker, one of her quotes and
    on to the events timeline, each page showing what it should."""
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Latest stories"
    page.get_by_role("link", name=desk.bafta.title).click()
    page.wait_for_url(f"**{desk.bafta.get_absolute_url()}")
    assert page.locator("h1").inner_text() == desk.bafta.title
    assert page.locator(".story-body mark").count() == 3  # two quotes, one over 2 paragraphs

    page.locator(".secondary").get_by_role("link", name="Rose Ayling-Ellis").click()
    page.wait_for_url("**/people/rose-ayling-ellis/")
    assert page.locator("h1").inner_text() == "Rose Ayling-Ellis"

    page.locator(".timeline").get_by_role("link", name=re.compile("very special moment")).click()
    page.wait_for_url(f"**{desk.rose_quote.get_absolute_url()}")
    assert "very special moment" in page.locator(".big-quote").inner_text()
    assert page.locator(".in-context mark").count() == 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.wait_for_url("**/events/")
    assert page.locator("h1").inner_text() == "Events"
    assert page.get_by_text("Lifted the Glitterball trophy").is_visible()


def test_quote_highlight_leads_to_its_permalink(live_server, page, desk):
    """Clicking a highlighted quote in a story opens that quote's permalink page."""
    page.goto(live_server.url + desk.bafta.get_absolute_url())
    page.locator(f"#quote-{desk.giovanni_quote.pk}").click()
    page.wait_for_url(f"**{desk.giovanni_quote.get_absolute_url()}")
    assert page.get_by_role("link", name="Giovanni Pernice", exact=True).is_visible()


def test_events_can_be_filtered_by_person_without_javascript(live_server, page, desk):
    """Choosing a person in the events filter and submitting narrows the timeline."""
    page.goto(live_server.url + "/events/")
    page.get_by_label("Show events with").select_option("giovanni-pernice")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/events/?person=giovanni-pernice")
    assert page.locator("h1").inner_text() == "Events with Giovanni Pernice"


def test_search_from_the_header(live_server, page, desk):
    """Typing in the header's search box finds people, quotes and stories."""
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Search stories, quotes and people").fill("giovanni")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=giovanni")
    assert page.locator("h1").inner_text() == "Results for “giovanni”"
    assert page.get_by_role("heading", name=re.compile("^People")).is_visible()


@pytest.mark.parametrize("device", WIDTHS)
def test_layout_fits_the_screen_without_horizontal_scrolling(
    live_server, browser, desk, artifacts_dir, device
):
    """At phone (375 px) and desktop (1280 px) widths no page scrolls sideways; a screenshot
    of each is saved for review."""
    context = browser.new_context(viewport={"width": WIDTHS[device], "height": 900})
    try:
        page = context.new_page()
        for name, path in page_paths(desk).items():
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} at {device} width scrolls sideways by {overflow}px"
            page.screenshot(path=artifacts_dir / f"site-{name}-{device}.png", full_page=True)
    finally:
        context.close()


def test_phone_layout_stacks_the_sidebar_under_the_story(live_server, browser, desk):
    """On a 360 px phone the sidebar follows the story instead of squeezing beside it."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server.url + desk.bafta.get_absolute_url())
        story = page.locator("article.story").bounding_box()
        aside = page.locator("aside.secondary").bounding_box()
        assert aside["y"] >= story["y"] + story["height"] - 1
        assert story["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_desktop_layout_puts_the_sidebar_beside_the_story(live_server, page, desk):
    """At 1280 px the sidebar sits to the right of the story."""
    page.goto(live_server.url + desk.bafta.get_absolute_url())
    story = page.locator("article.story").bounding_box()
    aside = page.locator("aside.secondary").bounding_box()
    assert aside["x"] > story["x"] + story["width"] - 1


def test_pages_have_no_serious_accessibility_violations(live_server, page, desk):
    """axe-core finds no serious or critical WCAG violation on any public page."""
    axe = Axe()
    problems = {}
    for name, path in page_paths(desk).items():
        page.goto(live_server.url + path)
        results = axe.run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
        if serious:
            problems[name] = [
                (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious
            ]
    assert not problems, problems


def test_phone_pages_have_no_serious_accessibility_violations(live_server, browser, desk):
    """axe-core finds no serious or critical violation at phone width either."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        axe = Axe()
        for name, path in page_paths(desk).items():
            page.goto(live_server.url + path)
            violations = axe.run(page).response["violations"]
            serious = [(v["id"], v["help"]) for v in violations if v["impact"] in SERIOUS]
            assert not serious, (name, serious)
    finally:
        context.close()


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, page, desk):
    """The first Tab shows the skip link on screen; following it moves focus to <main>."""
    page.goto(live_server.url + desk.bafta.get_absolute_url())
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_keyboard_focus_is_visible(live_server, page, desk):
    """A focused link draws a clear outline."""
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand link, after the skip link
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2


def test_stylesheet_is_served_and_applied(live_server, page, desk):
    """The local stylesheet loads (no external font or CDN) and styles the page."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + "/")
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert background == "rgb(143, 18, 57)"
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_imported_seed_stories_read_well_on_phone_and_desktop(
    live_server, browser, imported_seeds, artifacts_dir
):
    """The real seed stories (long quotes over paragraphs, social handles) fit a phone and a
    desktop screen, with their quotes highlighted and no serious axe violation."""
    axe = Axe()
    for device, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            for n, article in enumerate(imported_seeds.values()):
                page.goto(live_server.url + article.get_absolute_url())
                assert page.locator("h1").inner_text() == article.title
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (article.slug, device, overflow)
                if n == 0:
                    assert page.locator(".story-body mark").count() > 0
                    page.screenshot(path=artifacts_dir / f"site-seed-{device}.png", full_page=True)
                    violations = axe.run(page).response["violations"]
                    assert not [v["id"] for v in violations if v["impact"] in SERIOUS]
        finally:
            context.close()


def test_a_seed_persons_timeline_reads_newest_first_with_its_month_chart(
    live_server, page, imported_seeds, artifacts_dir
):
    """Issue 15: the person page of the seeds' most quoted person shows the server-drawn
    month chart and the timeline newest first, undated items apart; a screenshot is kept
    for the closing note."""
    from django.db.models import Count

    from people.models import Person

    person = Person.objects.annotate(n=Count("quotes")).filter(n__gt=0).order_by("-n", "pk").first()
    page.goto(live_server.url + person.get_absolute_url())
    assert page.locator("h1").inner_text() == person.name
    assert page.locator("section[aria-labelledby=timeline-heading] svg").count() == 1
    years = [text for text in page.locator("h3.timeline-year").all_inner_texts() if text.isdigit()]
    assert years == sorted(years, reverse=True)
    headings = page.locator("h3.timeline-year").all_inner_texts()
    if "Date unknown" in headings:
        assert headings[-1] == "Date unknown"
    page.screenshot(path=artifacts_dir / "person-timeline-seeds.png", full_page=True)
