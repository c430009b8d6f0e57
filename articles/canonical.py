"""Canonical quotes (issue 15): the same words reported by several stories grouped into one
``CanonicalQuote``, at import (incrementally, a batch at a time), in bulk for an existing
archive (``manage.py rebuild_canonical_quotes``), and by editors (split, merge).

Why in ``articles`` and not an app of its own: a group is a property of quotes (every quote
carries ``canonical``, read by every page and API answer without a join), and a foreign key
from ``Quote`` to another app's model, whose keys point back at ``Quote``, would make the two
apps' migrations depend on each other.

Cost. The words are compared by ``extraction.canonical``. For a batch of ``n`` new quotes
the grouping runs a constant number of queries: their keys are written (one bulk insert);
the quotes sharing a key or the fingerprint with them are read (indexed lookups, one per
chunk of keys; a key held by ``MAX_POSTINGS`` quotes, a stock phrase's shingle, is counted
but not read, so that it neither floods the candidates nor costs more as the archive
grows); the ``CANDIDATES`` sharing most keys with each new
quote are compared word by word (banded edit distances: at most ``CANDIDATES`` per quote);
the groups are written in bulk. Never all pairs: grouping ``N`` quotes (an import, or the
rebuild of an archive, in chunks of ``REBUILD_CHUNK``) is ``O(N · k)`` lookups for ``k``
keys per quote (about 40 % of its 3-word shingles, plus three).

Ties: a quote that matches occurrences of several groups joins the group of its best match
(exact before contained before near, then the most shared keys, then the oldest group). The
importer never merges two existing groups: editors do (``merge_groups``).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Length
from simple_history.utils import bulk_update_with_history

from extraction import canonical as words_of

from .history import insert_created_history
from .models import CanonicalQuote, Quote, QuoteKey

MAX_POSTINGS = 200  # quotes a key is given; a key held by this many is a stock phrase's
CANDIDATES = 20  # the quotes sharing most keys with a new one, compared word by word
REBUILD_CHUNK = 2000
_IN_CHUNK = 900  # values per IN (...) list (SQLite's old limit is 999)
_RANK = {"exact": 0, "contained": 1, "near": 2}
GROUP_REASON = "grouped with the same words"
SPLIT_REASON = "split from its canonical quote"
MERGE_REASON = "canonical quotes merged"


class CanonicalError(ValueError):
    """An editor's split or merge that cannot be done; the message says why."""


def _chunks(values: Sequence, size: int = _IN_CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def group_quotes(*, quotes: Iterable[Quote]) -> set[int]:
    """Index the saved ``quotes`` (their keys) and put each that has no group yet in the
    group of its best match among the quotes grouped before it (those of the database and
    the earlier ones of ``quotes``), or in a new group of its own. Returns the ids of the
    groups that changed. Quotes that already have a group keep it (only indexed)."""
    quotes = [q for q in quotes if q.pk is not None]
    if not quotes:
        return set()
    before = {q.pk: (q.canonical_id, q.fingerprint) for q in quotes}
    grouping = assign_groups(quotes=quotes)
    changed_rows = [q for q in quotes if before[q.pk] != (q.canonical_id, q.fingerprint)]
    for chunk in _chunks(sorted(changed_rows, key=lambda q: q.pk)):
        Quote.objects.bulk_update(chunk, ["canonical", "fingerprint"])
    index_quotes(quotes=quotes, postings=grouping.postings)
    changed = {q.canonical_id for q in quotes if before[q.pk][0] != q.canonical_id}
    refresh_speakers(group_ids=changed)
    return changed


@dataclass
class Grouping:
    """What ``assign_groups`` learnt, for the writes after the quotes' insert."""

    # Existing groups new quotes joined -> the speakers those quotes name.
    joined: dict[int, set[int]] = field(default_factory=dict)
    # Keys -> how many grouped quotes hold them (read up to MAX_POSTINGS).
    postings: dict[int, int] = field(default_factory=dict)


def index_quotes(*, quotes: Iterable[Quote], postings: dict | None = None) -> None:
    """Write the keys of saved ``quotes`` (one bulk insert): later quotes find them.

    A key already held by ``MAX_POSTINGS`` quotes (``postings``: the counts the grouping
    read) is not given more: a shingle that common (a stock phrase) tells nothing, and
    its list would grow with the archive, and the look-up's cost with it (issue 13's
    growth bench: the last 1,000 of 20,000 imported at a quarter of the first's rate)."""
    counts = dict(postings or {})
    rows = []
    for quote in quotes:
        for key in sorted(words_of.shingle_keys(words_of.words(quote.text))):
            if counts.get(key, 0) < MAX_POSTINGS:
                counts[key] = counts.get(key, 0) + 1
                rows.append(QuoteKey(quote_id=quote.pk, key=key))
    # ignore_conflicts: a quote indexed again (a rebuild of a locked group).
    QuoteKey.objects.bulk_create(rows, ignore_conflicts=True)


def add_speakers(*, joined: dict[int, set[int]]) -> None:
    """Update the agreement of existing groups that new quotes joined, from the speakers
    those quotes name (``Grouping.joined``), without reading the groups' other quotes (a
    group's size grows with the archive). Removals and changes of speakers go through
    ``refresh_speakers``, which reads them all."""
    changed = []
    for chunk in _chunks(sorted(joined)):
        for group in CanonicalQuote.objects.filter(pk__in=chunk).only(
            "pk", "speaker", "speaker_disputed"
        ):
            if group.speaker_disputed or not joined[group.pk]:
                continue
            named = joined[group.pk] | ({group.speaker_id} if group.speaker_id else set())
            agreed = (next(iter(named)) if len(named) == 1 else None, len(named) > 1)
            if (group.speaker_id, group.speaker_disputed) != agreed:
                group.speaker_id, group.speaker_disputed = agreed
                changed.append(group)
    CanonicalQuote.objects.bulk_update(changed, ["speaker", "speaker_disputed"])


def _most_shared_first(item: tuple[int, int]) -> tuple[int, int]:
    candidate, shared = item
    return -shared, candidate


def _most_shared_nearby(item: tuple[int, int]) -> tuple[int, int]:
    candidate, shared = item
    return -shared, -candidate


def _top(shared: Counter[int], *, newest: bool = False) -> list[tuple[int, int]]:
    """The ``CANDIDATES`` items of ``shared`` (candidate: keys shared) sharing most keys,
    the oldest (lowest id; ``newest``: highest) first among equals: what
    ``heapq.nsmallest`` with a key function returns, without its Python call per item (a
    common quote's keys reach hundreds of candidates, most sharing one key): the counts
    and the tied ids are compared in C."""
    order = _most_shared_nearby if newest else _most_shared_first
    if len(shared) <= CANDIDATES:
        return sorted(shared.items(), key=order)
    floor = sorted(shared.values(), reverse=True)[CANDIDATES - 1]
    above = sorted(((c, n) for c, n in shared.items() if n > floor), key=order)
    tied = [c for c, n in shared.items() if n == floor]
    pick = heapq.nlargest if newest else heapq.nsmallest
    return above + [(c, floor) for c in pick(CANDIDATES - len(above), tied)]


def assign_groups(*, quotes: Sequence[Quote]) -> Grouping:
    """Set ``canonical`` (and ``fingerprint``) on each of ``quotes`` that has no group yet:
    the group of its best match among the grouped quotes of the database and the earlier
    ones of ``quotes``, or a new group of its own (created here). The quotes may be unsaved
    (the importer groups them before its bulk insert, so that no second write of every new
    quote is needed: that write was 40 % of an import); nothing of them is written here.
    A new group gets its speaker from its quotes; the ``Grouping`` returned tells which
    existing groups quotes joined (for ``add_speakers``) and the keys' postings counts (for
    ``index_quotes``)."""
    if not quotes:
        return Grouping()
    # Batch quotes are known here by a local id, -1, -2, …: saved quotes' ids are positive.
    local = {-(i + 1): q for i, q in enumerate(quotes)}
    words = {lid: words_of.words(q.text) for lid, q in local.items()}
    keys = {lid: words_of.shingle_keys(w) for lid, w in words.items()}
    batch = {q.pk for q in quotes if q.pk is not None}
    # Exact matches by fingerprint first (a quote without keys is too short to be grouped):
    # the oldest group already holding the same words, which ranks above any other match
    # (see the ranking below). One probe of the (fingerprint, group) index per distinct
    # fingerprint, however often the archive repeats the quote: reading the matching
    # quotes themselves (up to ``_IN_CHUNK * 10`` rows a chunk for a quote repeated by
    # thousands of stories) and their texts was half of grouping on issue 13's bench.
    # (Computed again: rows older than the column have none stored.)
    fingerprints = {lid: words_of.fingerprint(w) for lid, w in words.items() if keys[lid]}
    exact_group: dict[str, int] = {}
    excluding = sorted(batch)
    for chunk in _chunks(sorted(set(fingerprints.values()))):
        exact_group.update(_oldest_groups(chunk, excluding=excluding))
    exact = {lid for lid, fp in fingerprints.items() if fp in exact_group}
    # How many grouped quotes hold each key of the batch (counted in the (key, quote)
    # index, at most MAX_POSTINGS: ``index_quotes`` gives no key more). A key that many
    # quotes hold is a stock phrase's shingle (a stop-shingle, as a search engine drops
    # stop words): it says nothing of which quote a new one repeats, so its postings are
    # not read; the quotes' rarer keys and the fingerprint find their matches, and every
    # candidate is still compared word by word. Reading them made each quote cost up to
    # MAX_POSTINGS rows per key once an archive's stock phrases filled their lists (issue
    # 13's growth bench: the last 1,000 of 20,000 stories imported at 0.71 of the first's
    # rate).
    held: dict[int, int] = {}
    wanted_keys = sorted(set().union(*(keys[lid] for lid in local if lid not in exact)))
    counted = sorted(set().union(*(keys[lid] for lid in local)))
    for chunk in _chunks(counted):
        rows = (
            QuoteKey.objects.filter(key__in=chunk)
            .exclude(quote_id__in=batch)
            .order_by()
            .values("key")
            .annotate(quotes=Count("quote_id"))
        )
        held.update(rows.values_list("key", "quotes"))
    # The grouped quotes sharing a telling key with the others (not those whose words are
    # grouped already: nothing ranks above an exact match), read from the index alone.
    postings: dict[int, set[int]] = defaultdict(set)  # key -> quote ids
    telling = [key for key in wanted_keys if 0 < held.get(key, 0) < MAX_POSTINGS]
    for chunk in _chunks(telling):
        rows = QuoteKey.objects.filter(key__in=chunk).exclude(quote_id__in=batch).order_by()
        for key, quote_id in rows.values_list("key", "quote_id"):
            postings[key].add(quote_id)

    ranked: dict[int, list[tuple[int, int]]] = {}  # new quote -> [(shared keys, candidate)]
    wanted: set[int] = set()
    for lid in local:
        if lid in exact:
            continue
        shared: Counter[int] = Counter()
        for key in keys[lid]:
            shared.update(postings.get(key, ()))  # counted in C: a stock key has 200
        # The most shared keys first, the older quote first among equals.
        best = _top(shared)
        ranked[lid] = [(n, candidate) for candidate, n in best]
        wanted.update(candidate for candidate, _ in best)
    known = {
        pk: (words_of.words(text), group)
        for chunk in _chunks(sorted(wanted))
        for pk, text, group in Quote.objects.filter(pk__in=chunk)
        .order_by()  # not the model's ordering, which joins and sorts the articles
        .values_list("pk", "text", "canonical_id")
    }

    # In order: each new quote may match the ones before it in this batch (two stories of
    # one import quoting the same sentence), found through their keys in memory. A group
    # this batch starts is numbered -1, -2, … until it is written.
    batch_postings: dict[int, set[int]] = defaultdict(set)
    group_of = {lid: q.canonical_id for lid, q in local.items()}  # batch quote -> group
    texts: dict[int, str] = {}  # group -> its longest new occurrence
    starts = 0
    for lid, quote in local.items():
        if group_of[lid] is None:
            if lid in exact:
                # An exact match ranks first: its kind before the others, and its shared
                # keys (all the quote's, and the fingerprint) above any batch quote's.
                group_of[lid] = exact_group[fingerprints[lid]]
            else:
                # As for the database's quotes, only the few earlier quotes of the batch
                # sharing most keys are compared (negative ids, the oldest closest to 0).
                nearby: Counter[int] = Counter()
                for key in keys[lid]:
                    nearby.update(batch_postings.get(key, ()))
                candidates = ranked[lid] + [(n, c) for c, n in _top(nearby, newest=True)]
                best = _best_group(words[lid], candidates, known, words, group_of)
                if best is None:
                    starts += 1
                    best = -starts
                group_of[lid] = best
            group = group_of[lid]
            if len(quote.text) > len(texts.get(group, "")):
                texts[group] = quote.text
        for key in keys[lid]:
            batch_postings[key].add(lid)

    # A new group holds only quotes of this batch: its speaker is known without a read.
    named: dict[int, set[int]] = defaultdict(set)
    for lid, quote in local.items():
        if group_of[lid] < 0 and quote.speaker_id and quote.status != Quote.Status.REJECTED:
            named[group_of[lid]].add(quote.speaker_id)
    new_groups = []
    for i in range(1, starts + 1):
        speakers = named.get(-i, set())
        new_groups.append(
            CanonicalQuote(
                text=texts[-i],
                speaker_id=next(iter(speakers)) if len(speakers) == 1 else None,
                speaker_disputed=len(speakers) > 1,
            )
        )
    # Both backends return primary keys from bulk inserts (SQLite 3.35+, PostgreSQL).
    created = CanonicalQuote.objects.bulk_create(new_groups)
    assert all(group.pk is not None for group in created)
    insert_created_history(CanonicalQuote, created, reason=GROUP_REASON)
    real = {-i: group.pk for i, group in enumerate(created, start=1)}
    joined: dict[int, set[int]] = {}
    for lid, quote in local.items():
        if quote.canonical_id is None and group_of[lid] > 0:
            speakers = joined.setdefault(group_of[lid], set())
            if quote.speaker_id and quote.status != Quote.Status.REJECTED:
                speakers.add(quote.speaker_id)
        quote.canonical_id = real.get(group_of[lid], group_of[lid])
        quote.fingerprint = words_of.fingerprint(words[lid])
    # A longer new occurrence gives an existing group its text (the editors' label): the
    # lengths read in one query, the longer texts written in one.
    existing = sorted(group for group in texts if group > 0)
    longer = [
        CanonicalQuote(pk=pk, text=texts[pk])
        for chunk in _chunks(existing)
        for pk, length in CanonicalQuote.objects.filter(pk__in=chunk)
        .annotate(length=Length("text"))
        .values_list("pk", "length")
        if length < len(texts[pk])
    ]
    CanonicalQuote.objects.bulk_update(longer, ["text"])
    counts = {key: min(n, MAX_POSTINGS) for key, n in held.items()}
    return Grouping(joined=joined, postings=counts)


def _best_group(quote_words, candidates, known, words, group_of) -> int | None:
    """The group of a quote's best match among ``candidates`` ((shared keys, quote id):
    saved quotes, whose words and group are in ``known``, or earlier quotes of the batch,
    negative ids, in ``words`` and ``group_of``), or None: exact before contained before
    near, then the most shared keys, then the oldest group (an existing one before one
    the batch starts)."""
    best = None
    for n, candidate in candidates:
        other_words, group = known.get(candidate) or (words[candidate], group_of[candidate])
        kind = group is not None and words_of.relation(quote_words, other_words)
        if not kind:
            continue
        rank = (_RANK[kind], -n, group if group > 0 else (1 << 62) - group)
        if best is None or rank < best[0]:
            best = (rank, group)
    return None if best is None else best[1]


def _oldest_groups(fingerprints: Sequence[str], *, excluding: Sequence[int]) -> dict[str, int]:
    """The oldest group holding a quote of each of ``fingerprints`` (the quotes
    ``excluding`` aside), for those any group holds: one probe of the (fingerprint, group)
    index per fingerprint, whatever the number of quotes sharing it. (A table of values
    joined to a correlated subquery with a limit: SQL that SQLite and PostgreSQL both run
    this way, and the ORM does not write.)"""
    if not fingerprints:
        return {}
    qn = connection.ops.quote_name
    table, pk = qn(Quote._meta.db_table), qn(Quote._meta.pk.column)
    fingerprint, group = qn("fingerprint"), qn(Quote._meta.get_field("canonical").column)
    skip = f" AND q.{pk} NOT IN ({', '.join(['%s'] * len(excluding))})" if excluding else ""
    sql = (
        f"WITH wanted (value) AS (VALUES {', '.join(['(%s)'] * len(fingerprints))}) "
        f"SELECT wanted.value, (SELECT q.{group} FROM {table} q"
        f" WHERE q.{fingerprint} = wanted.value AND q.{group} IS NOT NULL{skip}"
        f" ORDER BY q.{group} LIMIT 1) FROM wanted"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fingerprints, *excluding])
        return {value: oldest for value, oldest in cursor.fetchall() if oldest is not None}


def refresh_speakers(*, group_ids: Iterable[int]) -> None:
    """Set each group's agreed speaker, and flag the groups whose occurrences name different
    speakers (rejected occurrences aside) for review. One read and one write in all."""
    group_ids = sorted({g for g in group_ids if g is not None})
    if not group_ids:
        return
    speakers: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(group_ids):
        rows = (
            Quote.objects.filter(canonical_id__in=chunk, speaker__isnull=False)
            .exclude(status=Quote.Status.REJECTED)
            .values_list("canonical_id", "speaker_id")
            .distinct()
        )
        for group, speaker in rows:
            speakers[group].add(speaker)
    changed = []
    for chunk in _chunks(group_ids):
        for group in CanonicalQuote.objects.filter(pk__in=chunk).only(
            "pk", "speaker", "speaker_disputed"
        ):
            named = speakers.get(group.pk, set())
            agreed = (next(iter(named)) if len(named) == 1 else None, len(named) > 1)
            if (group.speaker_id, group.speaker_disputed) != agreed:
                group.speaker_id, group.speaker_disputed = agreed
                changed.append(group)
    # Only the groups whose agreement changed are written.
    CanonicalQuote.objects.bulk_update(changed, ["speaker", "speaker_disputed"])


def delete_empty_groups(*, group_ids: Iterable[int] | None = None) -> int:
    """Delete groups left without occurrences (their quotes were removed or moved)."""
    groups = CanonicalQuote.objects.filter(occurrences__isnull=True)
    if group_ids is not None:
        groups = groups.filter(pk__in=list(group_ids))
    count, _ = groups.delete()
    return count


@transaction.atomic
def split_quotes(*, quotes: Sequence[Quote], user=None) -> CanonicalQuote:
    """Move ``quotes`` (occurrences of one group) into a new group of their own, for an
    editor who found they are not the same quote. Both groups are then kept as arranged
    when the groups are rebuilt."""
    quotes = list(quotes)
    if not quotes:
        raise CanonicalError("Select the quotes to split off.")
    sources = {q.canonical_id for q in quotes}
    if len(sources) != 1 or None in sources:
        raise CanonicalError("Split quotes of one canonical quote at a time.")
    (source_id,) = sources
    source = CanonicalQuote.objects.select_for_update().get(pk=source_id)
    if source.occurrences.exclude(pk__in=[q.pk for q in quotes]).count() == 0:
        raise CanonicalError("These are all its occurrences: there is nothing to split.")
    target = CanonicalQuote(text=max((q.text for q in quotes), key=len), locked=True)
    _save_with_reason(target, user, SPLIT_REASON)
    source.locked = True
    _save_with_reason(source, user, SPLIT_REASON)
    _move(quotes, target, user, SPLIT_REASON)
    refresh_speakers(group_ids=[source.pk, target.pk])
    return target


@transaction.atomic
def merge_groups(*, sources: Sequence[CanonicalQuote], target: CanonicalQuote, user=None):
    """Move every occurrence of ``sources`` into ``target`` and delete the emptied groups,
    for an editor who found they are one quote. ``target`` is then kept as arranged."""
    sources = [s for s in sources if s.pk != target.pk]
    if not sources:
        raise CanonicalError("Select at least two canonical quotes to merge.")
    quotes = list(Quote.objects.filter(canonical__in=sources).order_by("pk"))
    target.locked = True
    longest = max([target.text, *(q.text for q in quotes)], key=len)
    target.text = longest
    _save_with_reason(target, user, MERGE_REASON)
    _move(quotes, target, user, MERGE_REASON)
    for source in CanonicalQuote.objects.filter(pk__in=[s.pk for s in sources]):
        source._change_reason = MERGE_REASON
        source._history_user = user
        source.delete()
    refresh_speakers(group_ids=[target.pk])
    return target


def _save_with_reason(group: CanonicalQuote, user, reason: str) -> None:
    group._change_reason = reason
    if user is not None:
        group._history_user = user
    group.save()


def _move(quotes: Sequence[Quote], group: CanonicalQuote, user, reason: str) -> None:
    for quote in quotes:
        quote.canonical = group
    bulk_update_with_history(
        quotes, Quote, ["canonical"], default_user=user, default_change_reason=reason
    )


def rebuild(*, chunk: int = REBUILD_CHUNK, stdout=None) -> dict[str, int]:
    """Group every quote of the archive again, oldest publication first (so that a group
    starts with its first report), keeping the groups editors arranged. Linear in quotes:
    chunks of ``chunk`` quotes, each grouped like an import batch."""
    with transaction.atomic():
        QuoteKey.objects.all().delete()
        Quote.objects.exclude(canonical__locked=True).exclude(canonical__isnull=True).update(
            canonical=None
        )
        CanonicalQuote.objects.filter(locked=False).delete()
    last = None
    order = ("article_published_at", "pk")
    seen = 0
    # Keyset pagination over (published date, id): unknown dates (NULL) go last.
    dated = Quote.objects.filter(article_published_at__isnull=False).order_by(*order)
    undated = Quote.objects.filter(article_published_at__isnull=True).order_by("pk")
    for queryset, keyed in ((dated, True), (undated, False)):
        last = None
        while True:
            rows = queryset
            if last is not None:
                rows = (
                    rows.filter(
                        Q(article_published_at__gt=last[0])
                        | Q(article_published_at=last[0], pk__gt=last[1])
                    )
                    if keyed
                    else rows.filter(pk__gt=last[1])
                )
            page = list(rows.only("pk", "text", "fingerprint", "canonical", *order)[:chunk])
            if not page:
                break
            with transaction.atomic():
                group_quotes(quotes=page)
            seen += len(page)
            last = (page[-1].article_published_at, page[-1].pk)
            if stdout is not None:
                stdout.write(f"{seen} quotes grouped")
    with transaction.atomic():
        locked = CanonicalQuote.objects.filter(locked=True).values_list("pk", flat=True)
        refresh_speakers(group_ids=list(locked))
        emptied = delete_empty_groups()
    return {
        "quotes": seen,
        "groups": CanonicalQuote.objects.count(),
        "emptied": emptied,
    }
