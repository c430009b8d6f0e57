"""Request parsers for the API: DRF's, with a bound on how deeply JSON may nest.

Python's ``json`` recurses once per level: a body of a thousand ``[`` (issue 12, defect 10)
raised ``RecursionError``, which DRF does not turn into a 400, so the request was a 500.
No write of this API nests more than two levels; bodies deeper than ``MAX_DEPTH`` are
refused with a 400 before they are parsed.
"""

from __future__ import annotations

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32
# A JSON string (skipped: brackets inside it do not nest) or a bracket. Possessive
# quantifiers: one linear pass, no backtracking whatever the body holds.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``limit`` (linear scan)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif token[0] != '"':
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """``application/json`` bodies, nested at most ``MAX_DEPTH`` levels (else 400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - not valid {encoding}.") from exc
        if json_depth_exceeds(text):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
