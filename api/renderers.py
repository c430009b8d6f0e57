"""The browsable API under the Content-Security-Policy, and content negotiation (issue 12)."""

from rest_framework import negotiation, renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages run only script files (their one inline block is JSON data), but
    their markup carries inline styles: those, and only on these pages, are allowed."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return super().render(data, accepted_media_type, renderer_context)


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's content negotiation, answering the usual requests of API clients (no Accept
    header, ``*/*`` or ``application/json``, no ``format``) without parsing media types:
    DRF's answer to them is always the first renderer, JSON, as ``application/json``. Its
    parsing was about 40 µs of the API's 250 µs fixed cost per request (issue 12). Anything
    else, e.g. a browser's Accept header, ``application/json; indent=4`` or ``?format=api``,
    goes through DRF's negotiation unchanged."""

    PLAIN_ACCEPT = frozenset({"*/*", "application/json"})
    JSON = "application/json"

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            not format_suffix
            and renderers
            and renderers[0].media_type == self.JSON
            and request.META.get("HTTP_ACCEPT", "*/*") in self.PLAIN_ACCEPT
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], self.JSON
        return super().select_renderer(request, renderers, format_suffix)
