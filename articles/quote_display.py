"""How a quote reads in public, apart from how the source wrote it (issue 15, point 3).

A quote's stored ``text`` is the source's characters exactly: its offsets point at them, and
the anchoring of quotes after body edits depends on that. But a quote lifted out of its
sentence keeps the punctuation that tied it to the attribution — “You really are a role
model,” she said — so a permalink, a feed title or share text would read "You really are a
role model,". The *display* form ends such a quote with a full stop instead (a fragment
quoted inside the reporter's own sentence just loses the mark: it was never a sentence).
Placeholders the source wrote in square brackets (``[two love heart emojis]``) stay in the
display form, as written, since they are the source's words for what was there; *share*
text, which travels without its page, drops them.

Both run in linear time: they scan from the end, or over bracket pairs of bounded length.
"""

from __future__ import annotations

import re

# Punctuation that joins a quote to its attribution: ", she said", "; he added", ": ...", "— ".
ATTRIBUTION_MARKS = frozenset(",;:-–—")
# A placeholder: square brackets around a short run without brackets (bounded: linear scan).
PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,200}\]")


def display_text(text: str, *, partial: bool = False) -> str:
    """``text`` as readers see it: trailing attribution punctuation becomes a full stop (or
    goes, for a ``partial`` fragment); anything else is left exactly as the source wrote it."""
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
    cut = end
    while cut and (text[cut - 1] in ATTRIBUTION_MARKS or text[cut - 1].isspace()):
        cut -= 1
    if cut == end:  # no attribution mark at the end: nothing to mend
        return text[:end].lstrip()
    kept = text[:cut].lstrip()
    if not kept:
        return text[:end].lstrip()  # nothing but marks: show what there is
    if partial or kept[-1] in ".!?…":
        return kept
    return kept + "."


def share_text(text: str, *, partial: bool = False) -> str:
    """The display form without bracketed placeholders, for text shared off the page
    ("" when nothing but placeholders is left)."""
    shown = display_text(text, partial=partial)
    pieces, last = [], 0
    for match in PLACEHOLDER.finditer(shown):
        before = shown[last : match.start()]
        after = shown[match.end() : match.end() + 1]
        # "proud [x]." -> "proud.", "so [x] proud" -> "so proud": the space before goes
        # unless a word follows straight on.
        pieces.append(before if after.isalnum() else before.rstrip())
        last = match.end()
    pieces.append(shown[last:])
    shared = "".join(pieces).strip()
    return shared if any(ch.isalnum() for ch in shared) else ""
