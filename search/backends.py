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
  trigram (``gin_trgm_ops``) index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from .query import SearchQuery, fold, to_fts5, to_tsquery

# Highlight markers: private-use characters, stripped from indexed text, so that the
# escaped snippet can safely turn them into <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"

PUBLIC, NOT_REJECTED, ALL = "public", "not_rejected", "all"

# Per kind: which column the snippet comes from, and its length in words.
SNIPPET = {"article": ("body", 2, 30), "quote": ("extra", 1, 40), "person": ("extra", 1, 16)}
COLUMNS = ("title", "extra", "body")
TABLE = "search_searchentry"


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
        """{entry id: (title, snippet)} with MARK_START/MARK_STOP around matches."""
        entry_ids = list(entry_ids)
        if not entry_ids:
            return {}
        table = self._table(kind)
        _, column, words = SNIPPET[kind]
        placeholders = ", ".join(["%s"] * len(entry_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({table}, 0, %s, %s),"
                f" snippet({table}, {column}, %s, %s, '…', {words})"
                f" FROM {table} WHERE {table} MATCH %s AND rowid IN ({placeholders})",
                [MARK_START, MARK_STOP, MARK_START, MARK_STOP, self._match(query), *entry_ids],
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

    def _where(self, kind: str, visibility: str) -> str:
        # `kind` is a literal (one of three), so the planner picks the partial GIN index.
        assert kind in SNIPPET
        return f"kind = '{kind}' AND {_visibility_sql(visibility)} AND document @@ q"

    def _tsquery(self) -> str:
        return f"to_tsquery('{self.CONFIG}', %s) AS q"

    def candidates(
        self, kind: str, query: SearchQuery, visibility: str, *, limit: int
    ) -> list[tuple[int, float]]:
        # The newest `limit` matches, then ranked. Ordering by object_id lets the planner
        # walk the (kind, object_id) index backwards for common words and stop early, and
        # use the GIN index for rare ones.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ts_rank_cd(%s::float4[], document, q, 1) AS rank FROM"
                f" (SELECT id, document FROM {TABLE}, {self._tsquery()}"
                f"  WHERE {self._where(kind, visibility)}"
                "  ORDER BY object_id DESC LIMIT %s) AS newest,"
                f" {self._tsquery()} ORDER BY rank DESC, id DESC",
                [self.WEIGHTS, to_tsquery(query), limit, to_tsquery(query)],
            )
            return cursor.fetchall()

    def highlights(
        self, kind: str, query: SearchQuery, entry_ids: Iterable[int]
    ) -> dict[int, tuple[str, str]]:
        entry_ids = list(entry_ids)
        if not entry_ids:
            return {}
        column, _, words = SNIPPET[kind]
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_STOP}"'
        title_options = f"{marks}, HighlightAll=true"
        snippet_options = (
            f"{marks}, MaxWords={words}, MinWords={max(words // 2, 5)}, ShortWord=2,"
            ' MaxFragments=1, FragmentDelimiter=" … "'
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ts_headline('{self.CONFIG}', title, q, %s),"
                f" ts_headline('{self.CONFIG}', {column}, q, %s)"
                f" FROM {TABLE}, {self._tsquery()} WHERE id = ANY(%s)",
                [title_options, snippet_options, to_tsquery(query), entry_ids],
            )
            return {row[0]: (row[1] or "", row[2] or "") for row in cursor.fetchall()}

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
