"""The Content-Security-Policy in a real browser (issue 12): public pages, the admin and the
API docs load with no violation reported."""

import pytest

from tests.factories import build_newsdesk, make_editor, newsdesk_pages

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"

# Registered before any page script runs (through the DevTools protocol, which the policy
# does not govern): every violation the browser reports is kept for the test to read.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


def visit(page, url, console):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    messages = [text for text in console if "Content Security Policy" in text]
    console.clear()
    return response, violations + messages


@pytest.fixture
def watched_page(page):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    return page, console


def test_public_pages_load_without_csp_violations(live_server, watched_page):
    """Home, story, people, person, quote, events, tag, search and the 404 page send the
    strict policy and the browser blocks nothing on them."""
    page, console = watched_page
    desk = build_newsdesk()
    paths = [*newsdesk_pages(desk), "/no/such/page/"]
    for path in paths:
        response, violations = visit(page, live_server.url + path, console)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert violations == [], f"{path}: {violations}"


def test_admin_and_api_docs_load_without_csp_violations(live_server, watched_page):
    """An editor logs in and opens the admin's lists and change forms (select2 widgets,
    the highlighted article body, the quote tools) and the Swagger UI: nothing is blocked."""
    page, console = watched_page
    desk = build_newsdesk()
    editor = make_editor(password=PASSWORD)
    admin = f"{live_server.url}/admin/"
    _, violations = visit(page, admin, console)
    assert violations == []
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    for path in [
        "",
        "articles/article/",
        f"articles/article/{desk.bafta.pk}/change/",
        "articles/quote/",
        f"articles/quote/{desk.rose_quote.pk}/change/",
        "people/person/",
        f"people/person/{desk.rose.pk}/change/",
        "articles/event/",
        "articles/tag/",
    ]:
        _, violations = visit(page, admin + path, console)
        assert violations == [], f"/admin/{path}: {violations}"
    # The speaker autocomplete (select2) opens and lists people without a violation.
    visit(page, admin + f"articles/quote/{desk.rose_quote.pk}/change/", console)
    page.click(".field-speaker .select2-selection")
    page.wait_for_selector(".select2-results__option")
    assert page.evaluate("window.__cspViolations") == []

    _, violations = visit(page, f"{live_server.url}/api/v1/docs/", console)
    page.wait_for_selector(".swagger-ui .info")
    assert page.evaluate("window.__cspViolations") == [] and violations == []
