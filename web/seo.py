"""Canonical URLs, Open Graph / Twitter card metadata and schema.org JSON-LD.

JSON-LD is built as Python dicts and serialised with ``json.dumps``; ``<``, ``>`` and ``&``
are escaped to ``\\u003C`` … like Django's ``json_script``, so imported text such as
``</script>`` cannot end the script element.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

SITE_NAME = "Newsroom"
SITE_DESCRIPTION = "Entertainment and celebrity news: who said what, and when."
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """``data`` as JSON that is safe to place inside ``<script type="application/ld+json">``."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, default=str)
    # Safe: with <, > and & escaped, no text can close the <script> element.
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))


def summary(text: str, chars: int = 200) -> str:
    return Truncator(" ".join((text or "").split())).chars(chars)


@dataclass
class PageMeta:
    """What the ``<head>`` says about a page; ``canonical`` is an absolute URL."""

    title: str
    canonical: str
    description: str = SITE_DESCRIPTION
    og_type: str = "website"
    published: str = ""  # ISO 8601, for og "article:published_time"
    modified: str = ""
    tags: list[str] = field(default_factory=list)
    json_ld: SafeString | None = None
    noindex: bool = False
    image: object = None  # an articles.images.LeadImage: og:image and twitter:image
    image_url: str = ""  # its absolute URL

    @property
    def full_title(self) -> str:
        return self.title if self.title == SITE_NAME else f"{self.title} · {SITE_NAME}"


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def publisher() -> dict:
    return {"@type": "NewsMediaOrganization", "name": SITE_NAME}


def person_ld(request, person) -> dict:
    return {
        "@type": "Person",
        "name": person.name,
        "url": absolute(request, person.get_absolute_url()),
    }


def author_ld(request, article, authors=()) -> list[dict] | dict:
    """JSON-LD ``author``: the author people (with their page when they have one), else
    the free-text byline as a person's name, else, with no byline, the organisation."""
    if authors:
        return [
            person_ld(request, p)
            if getattr(p, "has_page", False)
            else {"@type": "Person", "name": p.name}
            for p in authors
        ]
    if article.byline:
        return [{"@type": "Person", "name": article.byline}]
    return publisher()


def image_ld(request, image) -> dict:
    data = {
        "@type": "ImageObject",
        "url": absolute(request, image.src),
        "width": image.width,
        "height": image.height,
    }
    if image.caption:
        data["caption"] = image.caption
    return data


def article_ld(request, article, *, people=(), tags=(), corrections=(), authors=()) -> dict:
    url = absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": Truncator(article.title).chars(110),
        "description": summary(article.standfirst or article.body),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "publisher": publisher(),
        "author": author_ld(request, article, authors),
        "isAccessibleForFree": True,
        "inLanguage": "en-GB",
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    if article.updated_at:
        data["dateModified"] = article.updated_at.isoformat()
    if (image := article.lead_image) is not None:
        data["image"] = image_ld(request, image)
    if people:
        data["mentions"] = [person_ld(request, p) for p in people]
    if tags:
        data["keywords"] = [t.name for t in tags]
    if corrections:
        data["correction"] = [correction_ld(c) for c in corrections]
    return data


def correction_ld(correction) -> dict:
    return {
        "@type": "CorrectionComment",
        "text": correction_text(correction),
        "datePublished": correction.published_on.isoformat(),
    }


def correction_text(correction) -> str:
    """The note as readers read it; a withdrawal names the quote by its words."""
    if correction.kind == "withdrawal" and correction.quote_text:
        return f"Quote withdrawn: “{summary(correction.quote_text, 120)}” {correction.note}"
    return correction.note


def profile_ld(request, person, aliases=()) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": person.name,
        "url": absolute(request, person.get_absolute_url()),
        "mainEntityOfPage": absolute(request, person.get_absolute_url()),
    }
    if aliases:
        data["alternateName"] = [a.text for a in aliases]
    if person.description:
        data["description"] = person.description
    return data


def quotation_ld(request, quote) -> dict:
    article = quote.article
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "text": quote.display_text,
        "url": absolute(request, quote.get_absolute_url()),
        "inLanguage": "en-GB",
        "isPartOf": {
            "@type": "NewsArticle",
            "headline": Truncator(article.title).chars(110),
            "url": absolute(request, article.get_absolute_url()),
            "publisher": publisher(),
        },
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
        data["isPartOf"]["datePublished"] = article.published_at.isoformat()
    if quote.speaker_id:
        data["creator"] = person_ld(request, quote.speaker)
    elif quote.speaker_label:
        # Not a named person ("a BBC spokeswoman"): the label is all that is known.
        data["creator"] = {"@type": "Person", "name": quote.speaker_label}
    return data
