"""The search index: one row per searchable article, quote and person.

Rows are derived data, written only by ``search.index`` (never edited by hand) and
rebuilt from scratch by ``manage.py rebuild_search_index``. Each backend adds its own
full-text structure in migration 0001: on PostgreSQL a generated, weighted ``tsvector``
column with GIN indexes (plus a trigram index on ``names``); on SQLite an FTS5 table.
"""

from django.db import models

from newsroom.bulk import LeanInsertQuerySet

KIND_CODES = {"article": 1, "quote": 2, "person": 3}


def entry_id(kind: str, object_id: int) -> int:
    """The entry's primary key (and SQLite FTS5 rowid) for an object of a kind."""
    return object_id * 4 + KIND_CODES[kind]


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "article"
        QUOTE = "quote", "quote"
        PERSON = "person", "person"

    # object_id * 4 + kind code (see entry_id): stable across reindexing, and newest
    # objects have the highest ids, which bounds ranking work to the newest matches.
    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    published = models.BooleanField(
        default=False,
        help_text="Readers may find it: a published article, a quote from one, a person "
        "named by one.",
    )
    rejected = models.BooleanField(
        default=False, help_text="A quote editors rejected: hidden from the public."
    )
    # Ranked highest (weight A): headline, person's name, quote's speaker.
    title = models.TextField(blank=True)
    # Weight B: standfirst and tags, the quote itself, a person's aliases.
    extra = models.TextField(blank=True)
    # Weight C: article body, a person's description.
    body = models.TextField(blank=True)
    # Person's name and aliases as folded words, for substring (trigram) matching.
    names = models.TextField(blank=True)

    objects = LeanInsertQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "object_id"]
        verbose_name = "search entry"
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["article", "quote", "person"]),
                name="search_entry_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"
