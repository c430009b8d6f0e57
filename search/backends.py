"""The two full-text engines behind ``search.services``, chosen by ``connection.vendor``.

Both store the same rows (``search.SearchEntry``) and receive the same parsed query
(``search.query.SearchQuery``); each renders it in its own syntax from sanitized words:

- SQLite: one FTS5 table per kind, ``search_fts_<kind>`` (porter stemming, unicode61),
  whose content is the entry table (via the view ``search_fts_content``) but whose index
  is built from accent-folded text, written here. Ranked by ``bm25(10, 4, 1)`` (title,
  extra, body), set as each table's default rank; visibility checked by primary key on
  the newest matches only. Names matched as substrings through a covering index.
- PostgreSQL: a generated ``document`` tsvector (weights A title, B extra, C body; the
  ``newsroom_search`` configuration is English with ``unaccent``) with one partial GIN
  index per kind, ranked with ``ts_rank_cd``; names matched as substrings through a
  trigram (``gin_trgm_ops``) index. The document is kept inline in narrow heap rows (the
  wide text goes to TOAST), so walking the newest entries of a kind is cheap; see
  ``PostgresBackend.candidates`` for how the newest matches are found in bounded work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connection

from .query import SearchQuery, fold, match_window, to_fts5, to_tsquery

# Highlight markers: private-use characters, stripped from indexed text, so that the
# escaped snippet can safely turn them into <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"

PUBLIC, NOT_REJECTED, ALL = "public", "not_rejected", "all"

# Per kind: which column the snippet comes from, and its length in words.
SNIPPET = {"article": ("body", 2, 30), "quote": ("extra", 1, 40), "person": ("extra", 1, 16)}
COLUMNS = ("title", "extra", "body")
TABLE = "search_searchentry"
# Snippets of a longer text are cut from a window this wide around its first match: the
# engines' snippet functions cost the square of the text they are given (issue 12).
SNIPPET_WINDOW_CHARS = 4000
# Rows the planner is told an FTS5 shadow table holds when ANALYZE saw it (nearly) empty:
# see SqliteBackend.keep_shadow_plans.
SHADOW_ROWS = 1_000_000


def get_backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def _visibility_sql(visibility: str, prefix: str = "") -> str:
    return {
        PUBLIC: f"{prefix}published AND NOT {prefix}rejected",
        NOT_REJECTED: f"NOT {prefix}rejected",
        ALL: "1 = 1",
    }[visibility]


class SqliteBackend:
    vendor = "sqlite"

    @staticmethod
    def _table(kind: str) -> str:
        assert kind in SNIPPET
        return f"search_fts_{kind}"

    # --- index maintenance (rows are written to the entry table by search.index) -------

    def _write(self, entries: Sequence, command: str) -> None:
        by_kind: dict[str, list] = {}
        for entry in entries:
            by_kind.setdefault(entry.kind, []).append(
                (entry.pk, fold(entry.title), fold(entry.extra), fold(entry.body))
            )
        self.keep_shadow_plans(by_kind)
        with connection.cursor() as cursor:
            for kind, rows in by_kind.items():
                table = self._table(kind)
                if command == "delete":
                    sql = (
                        f"INSERT INTO {table} ({table}, rowid, title, extra, body)"
                        " VALUES ('delete', %s, %s, %s, %s)"
                    )
                else:
                    sql = f"INSERT INTO {table} (rowid, title, extra, body) VALUES (%s, %s, %s, %s)"
                cursor.executemany(sql, rows)

    def keep_shadow_plans(self, kinds: Iterable[str] = SNIPPET) -> None:
        """Keep FTS5's own statements on their keys, whatever ``ANALYZE`` last saw.

        FTS5 stores each index in shadow tables (``<table>_data`` holds its pages) and,
        whenever it merges segments, which it does as the index grows, deletes the old
        ones with ``DELETE FROM <table>_data WHERE id >= ? AND id <= ?``. ``ANALYZE`` (run
        after every ``migrate`` and import: articles.statistics) records the shadow tables'
        sizes too; run while an index was empty (2 rows), it leaves the planner sure the
        table is tiny, and every such delete becomes a scan of the whole index: indexing
        grew with the square of the text (20,000 articles rebuilt in minutes, issue 12).
        Deleting the statistics does not help (a connection keeps a table's last size
        until it reconnects), so the sizes of shadow tables recorded as small are raised
        to the planner's default (a million rows), and the statistics reloaded. One
        ``EXPLAIN QUERY PLAN`` per index written when nothing needs doing."""
        with connection.cursor() as cursor:
            if self._shadow_plans_stale(cursor, kinds):
                # Bad plans come from statistics, so sqlite_stat1 exists. "2 1" -> "1000000 1".
                cursor.execute(
                    "UPDATE sqlite_stat1 SET stat = %s || substr(stat, instr(stat || ' ', ' '))"
                    " WHERE tbl LIKE 'search\\_fts\\_%%' ESCAPE '\\'"
                    " AND CAST(stat AS INTEGER) < %s",
                    [str(SHADOW_ROWS), SHADOW_ROWS],
                )
                cursor.execute("ANALYZE sqlite_schema")  # reloads the statistics

    def _shadow_plans_stale(self, cursor, kinds: Iterable[str]) -> bool:
        """Whether FTS5's deletes of merged segments would scan a whole index."""
        for kind in kinds:
            cursor.execute(
                f"EXPLAIN QUERY PLAN DELETE FROM {self._table(kind)}_data"
                " WHERE id >= %s AND id <= %s",
                [0, 0],
            )
            details = [row[-1] for row in cursor.fetchall()]
            if not any("rowid>" in d and "rowid<" in d for d in details):
                return True
        return False

    def add(self, entries: Sequence) -> None:
        """Index entries just inserted into the entry table."""
        self._write(entries, "insert")

    def remove(self, entries: Sequence) -> None:
        """Unindex entries about to be deleted (FTS5 needs the values it indexed)."""
        self._write(entries, "delete")

    def _each_table(self, command: str) -> None:
        with connection.cursor() as cursor:
            for kind in SNIPPET:
                table = self._table(kind)
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('{command}')")

    def clear(self) -> None:
        self._each_table("delete-all")

    def before_bulk_load(self) -> None:
        self.clear()

    def after_bulk_load(self) -> None:
        self._each_table("optimize")

    def indexed_count(self) -> int:
        with connection.cursor() as cursor:
            total = 0
            for kind in SNIPPET:
                cursor.execute(f"SELECT count(*) FROM {self._table(kind)}_docsize")
                total += cursor.fetchone()[0]
            return total

    # --- queries ------------------------------------------------------------------------

    @staticmethod
    def _match(query: SearchQuery) -> str:
        return "{title extra body} : (" + to_fts5(query) + ")"

    def candidates(
        self, kind: str, query: SearchQuery, visibility: str, *, limit: int
    ) -> list[tuple[int, float]]:
        """(entry id, rank) of the newest ``limit`` visible matches, best first (higher is
        better). Bounded work: FTS5 walks the matches newest first (rowid order) and stops
        at ``limit``, so only those are ranked, however many stories match."""
        table = self._table(kind)
        visible = ""
        if visibility != ALL:
            visible = (
                f" AND EXISTS (SELECT 1 FROM {TABLE} AS e WHERE e.id = f.rowid"
                f" AND {_visibility_sql(visibility, 'e.')})"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -r FROM (SELECT f.rowid, f.rank AS r FROM {table} AS f"
                f" WHERE {table} MATCH %s{visible} ORDER BY f.rowid DESC LIMIT %s)"
                " ORDER BY r, rowid DESC",
                [self._match(query), limit],
            )
            return cursor.fetchall()

    def highlights(
        self, kind: str, query: SearchQuery, entry_ids: Iterable[int]
    ) -> dict[int, tuple[str, str]]:
        """{entry id: (title, snippet)} with MARK_START/MARK_STOP around matches.

        Snippets of texts longer than SNIPPET_WINDOW_CHARS come from a window around the
        first match (``_window_snippets``), so the work is bounded however long the text."""
        entry_ids = list(entry_ids)
        if not entry_ids:
            return {}
        column = SNIPPET[kind][0]
        long_ids = self._long_ids(column, entry_ids)
        marks = self._marks(kind, query, entry_ids, [pk for pk in entry_ids if pk not in long_ids])
        for pk, snippet in self._window_snippets(kind, query, long_ids).items():
            if pk in marks:
                marks[pk] = (marks[pk][0], snippet)
        return marks

    @staticmethod
    def _long_ids(column: str, entry_ids: list[int]) -> set[int]:
        assert column in COLUMNS
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {TABLE} WHERE id IN ({', '.join(['%s'] * len(entry_ids))})"
                f" AND length({column}) > %s",
                [*entry_ids, SNIPPET_WINDOW_CHARS],
            )
            return {row[0] for row in cursor.fetchall()}

    def _window_snippets(self, kind: str, query: SearchQuery, ids: set[int]) -> dict[int, str]:
        """{entry id: snippet} cut from a window of each long text around its first match."""
        if not ids:
            return {}
        column = SNIPPET[kind][0]
        snippets = {}
        for pk in sorted(ids):
            # One text at a time: a page may hold several long ones.
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {column} FROM {TABLE} WHERE id = %s", [pk])
                row = cursor.fetchone()
            if row is None:
                continue
            window, cut_before, cut_after = match_window(row[0], query, SNIPPET_WINDOW_CHARS)
            snippet = self._snippet_of(kind, query, window)
            if snippet is None:  # the guess was wrong: the window's first words, unmarked
                words = window.split()[: SNIPPET[kind][2]]
                snippet, cut_after = " ".join(words), cut_after or len(words) < len(window.split())
            if cut_before and not snippet.startswith("…"):
                snippet = "…" + snippet
            if cut_after and not snippet.endswith("…"):
                snippet += "…"
            snippets[pk] = snippet
        return snippets

    def _snippet_of(self, kind: str, query: SearchQuery, text: str) -> str | None:
        """FTS5's snippet of ``text`` (a bounded window), through a scratch index in the
        connection's temporary schema built like the real one (folded words indexed, the
        original text shown); None if the query does not match it."""
        _, column, words = SNIPPET[kind]
        values = ["", "", ""]
        values[column] = text
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_window_content"
                " (id INTEGER PRIMARY KEY, title TEXT, extra TEXT, body TEXT)"
            )
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_window USING fts5("
                " title, extra, body, content='search_window_content', content_rowid='id',"
                " tokenize='porter unicode61 remove_diacritics 2')"
            )
            cursor.execute(
                "INSERT INTO search_window_content (id, title, extra, body) VALUES (1, %s, %s, %s)",
                values,
            )
            cursor.execute(
                "INSERT INTO search_window (rowid, title, extra, body) VALUES (1, %s, %s, %s)",
                [fold(value) for value in values],
            )
            try:
                cursor.execute(
                    f"SELECT snippet(search_window, {column}, %s, %s, '…', {words})"
                    " FROM search_window WHERE search_window MATCH %s",
                    [MARK_START, MARK_STOP, self._match(query)],
                )
                row = cursor.fetchone()
            finally:
                cursor.execute("INSERT INTO search_window (search_window) VALUES ('delete-all')")
                cursor.execute("DELETE FROM search_window_content")
        return row[0] if row else None

    def _marks(
        self, kind: str, query: SearchQuery, entry_ids: list[int], snippet_ids: list[int]
    ) -> dict[int, tuple[str, str]]:
        """{entry id: (title, snippet)}: the snippet ("" unless in ``snippet_ids``) is cut
        by FTS5 from the whole stored text."""
        table = self._table(kind)
        _, column, words = SNIPPET[kind]
        wanted = ", ".join(["%s"] * len(entry_ids))
        snipped = ", ".join(["%s"] * len(snippet_ids)) or "NULL"
        # One pass over the matches in the ids' rowid range, marking only the wanted rows:
        # `MATCH ... AND rowid IN (...)` restarts the query per id, and each restart of
        # a prefix query (e.g. "gover*") merges the doclists of all its words again. The
        # unary + keeps the IN from reaching FTS5 as a rowid constraint.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, title, snippet FROM (SELECT rowid,"
                f" +rowid IN ({wanted}) AS wanted,"
                f" CASE WHEN +rowid IN ({wanted})"
                f" THEN highlight({table}, 0, %s, %s) END AS title,"
                f" CASE WHEN +rowid IN ({snipped})"
                f" THEN snippet({table}, {column}, %s, %s, '…', {words}) END AS snippet"
                f" FROM {table} WHERE {table} MATCH %s AND rowid BETWEEN %s AND %s)"
                " WHERE wanted",
                [
                    *entry_ids,
                    *entry_ids,
                    MARK_START,
                    MARK_STOP,
                    *snippet_ids,
                    MARK_START,
                    MARK_STOP,
                    self._match(query),
                    min(entry_ids),
                    max(entry_ids),
                ],
            )
            return {row[0]: (row[1] or "", row[2] or "") for row in cursor.fetchall()}

    def names_containing(self, text: str, visibility: str, *, limit: int) -> list[int]:
        """Object ids of people whose name or an alias contains ``text`` (folded words),
        newest first."""
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT object_id FROM {TABLE} WHERE kind = 'person'"
                f" AND {_visibility_sql(visibility)} AND names LIKE %s ESCAPE '\\'"
                " ORDER BY object_id DESC LIMIT %s",
                [f"%{escaped}%", limit],
            )
            return [row[0] for row in cursor.fetchall()]


@contextmanager
def _index_order_only(cursor):
    """PostgreSQL: no sequential scans or sorts while inside (this session, then restored).

    A walk of thousands of entries in index order, which stops as soon as it has found
    enough, looks to the planner like reading most of a small kind: it would rather
    scan and sort it all (wide rows, spilled to disk)."""
    cursor.execute(
        "SELECT current_setting('enable_seqscan'), current_setting('enable_sort'),"
        " set_config('enable_seqscan', 'off', false), set_config('enable_sort', 'off', false)"
    )
    seqscan, sort, _, _ = cursor.fetchone()
    try:
        yield
    finally:
        # If the transaction failed, its rollback restores them.
        with suppress(DatabaseError):
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, false),"
                " set_config('enable_sort', %s, false)",
                [seqscan, sort],
            )


class PostgresBackend(SqliteBackend):
    vendor = "postgresql"
    CONFIG = "newsroom_search"
    # ts_rank_cd weights, in the order {D, C, B, A}: title 1.0, extra 0.4, body 0.1.
    WEIGHTS = "{0.1, 0.1, 0.4, 1.0}"

    # The generated column keeps itself current: nothing to do per row.
    def add(self, entries: Sequence) -> None:
        pass

    def remove(self, entries: Sequence) -> None:
        pass

    def clear(self) -> None:
        pass

    def before_bulk_load(self) -> None:
        """Drop the GIN indexes (rebuilt in one pass afterwards: much faster)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE tablename = %s AND indexdef LIKE %s",
                [TABLE, "%USING gin%"],
            )
            self._gin_indexes = cursor.fetchall()
            for name, _ in self._gin_indexes:
                cursor.execute(f'DROP INDEX "{name}"')

    def after_bulk_load(self) -> None:
        with connection.cursor() as cursor:
            for _, definition in getattr(self, "_gin_indexes", ()):
                cursor.execute(definition)
            cursor.execute(f"ANALYZE {TABLE}")

    def indexed_count(self) -> int:
        raise NotImplementedError

    def _tsquery(self) -> str:
        return f"to_tsquery('{self.CONFIG}', %s) AS q"

    # The newest entries of a kind walked first, newest first, matching each document.
    PROBE_ROWS = 1000
    # At most this many more (beyond it the planner may prefer sorting the whole kind).
    WALK_MAX = 30000
    # A document checked on the walk costs about this fraction of one found through the
    # GIN index (a heap visit in index order vs. a bitmap recheck anywhere in the table).
    WALK_COST = 0.4

    def _rank(self, alias: str) -> str:
        return f"ts_rank_cd('{self.WEIGHTS}'::float4[], {alias}.document, q, 1)"

    def _walk(self, kind: str, *, below: int | None, rows: int) -> str:
        """The newest ``rows`` entries of ``kind`` (below ``below``), walked in index order:
        the LIMIT is a fence, so the planner cannot swap the walk for a GIN scan."""
        assert kind in SNIPPET
        older = "" if below is None else f" AND object_id < {int(below)}"
        return (
            "(SELECT id, object_id, published, rejected, document"
            f" FROM {TABLE} WHERE kind = '{kind}'{older}"
            f" ORDER BY object_id DESC LIMIT {int(rows)}) AS w"
        )

    def candidates(
        self, kind: str, query: SearchQuery, visibility: str, *, limit: int
    ) -> list[tuple[int, float]]:
        """(entry id, rank) of the newest ``limit`` visible matches, best first.

        Bounded work, whatever the words' frequencies or the planner's estimate of them
        (it assumes words independent; news words are not):

        1. walk the newest PROBE_ROWS entries of the kind (index order, narrow heap rows:
           the wide text is in TOAST), matching each document;
        2. if that found ``limit`` matches, or all there is, done; otherwise, knowing the
           real share of matches, either keep walking until ``limit`` are found (common
           words) or fetch the older matches through the GIN index (rarer ones);
        3. rank only those (at most ``limit``).
        """
        assert kind in SNIPPET
        tsquery = to_tsquery(query)
        visible = _visibility_sql(visibility, "w.")
        match = f"{visible} AND w.document @@ q"
        q = self._tsquery()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.n, s.low, h.id, h.rank FROM"
                f" (SELECT count(*) AS n, min(w.object_id) AS low"
                f"  FROM {self._walk(kind, below=None, rows=self.PROBE_ROWS)}) AS s"
                f" LEFT JOIN (SELECT w.id, {self._rank('w')} AS rank"
                f"  FROM {self._walk(kind, below=None, rows=self.PROBE_ROWS)}, {q}"
                f"  WHERE {match} ORDER BY w.object_id DESC LIMIT %s) AS h ON true",
                [tsquery, limit],
            )
            fetched = cursor.fetchall()
            walked, low = fetched[0][0], fetched[0][1]
            rows = [(pk, rank) for _, _, pk, rank in fetched if pk is not None]
            wanted = limit - len(rows)
            if wanted > 0 and walked >= self.PROBE_ROWS and low is not None:
                share = len(rows) / walked
                # Rows still to walk for the rest vs. older matches to fetch by GIN index
                # (object ids are dense enough for `low` to count the older entries).
                walk_rows = wanted / share if share else float("inf")
                if walk_rows * self.WALK_COST <= share * low:
                    # Twice the expected walk, bounded (a larger LIMIT and the planner
                    # would rather sort the whole kind).
                    cap = int(min(low, 2 * walk_rows + 1000, self.WALK_MAX))
                    with _index_order_only(cursor):
                        cursor.execute(
                            f"SELECT w.id, {self._rank('w')} FROM"
                            f" {self._walk(kind, below=low, rows=cap)}, {q}"
                            f" WHERE {match} LIMIT %s",
                            [tsquery, wanted],
                        )
                        found = cursor.fetchall()
                    rows += found
                    wanted -= len(found)
                    if wanted > 0 and cap < low:  # walked `cap` rows: the rest by index
                        cursor.execute(
                            f"SELECT min(w.object_id) FROM {self._walk(kind, below=low, rows=cap)}"
                        )
                        low = cursor.fetchone()[0]
                    else:
                        wanted = 0
                if wanted > 0:
                    # Filtered and ordered by an expression, so that the planner cannot
                    # use the (kind, object_id) index instead (its estimates for prefixes
                    # favour it): GIN, then the newest `wanted`.
                    cursor.execute(
                        f"SELECT w.id, {self._rank('w')} FROM"
                        f" (SELECT w.id, w.document FROM {TABLE} AS w, {q}"
                        f"  WHERE w.kind = '{kind}' AND w.object_id + 0 < %s AND {match}"
                        f"  ORDER BY w.object_id + 0 DESC LIMIT %s) AS w, {q}",
                        [tsquery, low, wanted, tsquery],
                    )
                    rows += cursor.fetchall()
        rows.sort(key=lambda row: row[0], reverse=True)  # newest first, then best first
        rows = rows[:limit]
        rows.sort(key=lambda row: (-row[1], -row[0]))
        return rows

    def _headline_options(self, kind: str) -> tuple[str, str]:
        _, _, words = SNIPPET[kind]
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_STOP}"'
        snippet_options = (
            f"{marks}, MaxWords={words}, MinWords={max(words // 2, 5)}, ShortWord=2,"
            ' MaxFragments=1, FragmentDelimiter=" … "'
        )
        return f"{marks}, HighlightAll=true", snippet_options

    def _marks(
        self, kind: str, query: SearchQuery, entry_ids: list[int], snippet_ids: list[int]
    ) -> dict[int, tuple[str, str]]:
        column, _, _ = SNIPPET[kind]
        title_options, snippet_options = self._headline_options(kind)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ts_headline('{self.CONFIG}', title, q, %s),"
                f" CASE WHEN id = ANY(%s) THEN ts_headline('{self.CONFIG}', {column}, q, %s) END"
                f" FROM {TABLE}, {self._tsquery()} WHERE id = ANY(%s)",
                [title_options, snippet_ids, snippet_options, to_tsquery(query), entry_ids],
            )
            return {row[0]: (row[1] or "", row[2] or "") for row in cursor.fetchall()}

    def _snippet_of(self, kind: str, query: SearchQuery, text: str) -> str | None:
        _, snippet_options = self._headline_options(kind)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ts_headline('{self.CONFIG}', %s::text, q, %s) FROM {self._tsquery()}"
                f" WHERE to_tsvector('{self.CONFIG}', %s::text) @@ q",
                [text, snippet_options, to_tsquery(query), text],
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def names_containing(self, text: str, visibility: str, *, limit: int) -> list[int]:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT object_id FROM {TABLE} WHERE kind = 'person'"
                f" AND {_visibility_sql(visibility)} AND names LIKE %s"
                " ORDER BY object_id DESC LIMIT %s",
                [f"%{escaped}%", limit],
            )
            return [row[0] for row in cursor.fetchall()]
