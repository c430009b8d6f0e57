"""Articles and what was extracted from them: mentions, quotes, events, tags."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from extraction import canonical as canonical_words
from newsroom.bulk import LeanInsertQuerySet
from people.models import Person, unique_slug

from . import images, quote_display
from .anchoring import holds


def with_updated_at(kwargs: dict) -> dict:
    """``save()`` keyword arguments that also write ``updated_at``: a save limited by
    ``update_fields`` would skip the ``auto_now`` column, and partners syncing with
    ``updated_after`` would miss the change (issue 15)."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
    return kwargs


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


class TagQuerySet(models.QuerySet):
    def public(self):
        """Tags of at least one published article. A tag the importer made from a draft is
        not public until its story is (issue 12): its name must not show in pages, feeds,
        sitemaps or the anonymous API, and its slug must answer like an unknown one.

        One indexed probe of the article-tag table per tag, so filtering a page of tags
        costs the same at any size."""
        through = Tag.articles.through
        return self.filter(
            models.Exists(
                through.objects.filter(
                    tag_id=models.OuterRef("pk"), article__status=Article.Status.PUBLISHED
                )
            )
        )


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(
        auto_now=True,
        help_text="When what the API shows of the tag last changed, its visibility included "
        "(see articles/sync.py).",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="tag_slug_not_empty"),
        ]
        # Partners sync with ``updated_after`` (issue 15).
        indexes = [models.Index(fields=["updated_at", "id"], name="tag_updated_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, fallback="tag", max_length=100)
        adding = self._state.adding
        super().save(*args, **with_updated_at(kwargs))
        shown = (self.name, self.slug)
        if not adding and shown != getattr(self, "_shown", None):
            from .sync import touch_tag_dependents  # its articles show its name and slug

            touch_tag_dependents([self.pk])
        self._shown = shown

    def get_absolute_url(self):
        return reverse("web:tag", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        tag = super().from_db(db, field_names, values)
        tag._shown = tuple(tag.__dict__.get(f) for f in ("name", "slug"))
        return tag


class ArticleQuerySet(LeanInsertQuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def scheduled(self):
        """Articles waiting for their publication time (``articles.scheduling``)."""
        return self.filter(status=Article.Status.SCHEDULED)

    def due(self, now):
        """Scheduled articles whose publication time has come."""
        return self.scheduled().filter(published_at__lte=now)

    def latest_first(self):
        return self.order_by(F("published_at").desc(nulls_last=True), "-pk")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        # Not public yet: published by itself at ``published_at`` (articles.scheduling).
        SCHEDULED = "scheduled", "scheduled"
        PUBLISHED = "published", "published"

    title = models.CharField("headline", max_length=300)
    title_derived = models.BooleanField(
        "headline derived",
        default=False,
        help_text="The file had no headline; this one was made from the lede. Check it.",
    )
    slug = models.SlugField(max_length=220, unique=True)
    standfirst = models.TextField(blank=True)
    byline = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who wrote it, as the imported page, feed or ninjs item stated it (plain-text "
        "files state none). A correction here survives re-import.",
    )
    body = models.TextField(
        help_text="Clean text, paragraphs separated by a blank line. Quote and mention offsets "
        "point into this text, so editing it detaches them."
    )
    captions = models.JSONField(default=list, blank=True, help_text="Photo captions, kept apart.")
    authors = models.ManyToManyField(
        Person,
        blank=True,
        related_name="authored_articles",
        help_text="Who wrote it, when the writers are people in the directory: the byline "
        "then names them (linked to their page when they have one) instead of the free text.",
    )
    # The lead image (issue 14): the upload as received, under an unguessable name, and the
    # resized copies pages show (``articles.images``); the original is never linked.
    image = models.ImageField(
        "lead image",
        upload_to=images.upload_to,
        blank=True,
        max_length=200,
        validators=[images.validate_upload],
        help_text="JPEG, PNG or WebP. Resized copies for every screen are made when you save.",
    )
    image_alt = models.CharField(
        "image alt text",
        max_length=300,
        blank=True,
        help_text="Required with an image: what it shows, for readers who cannot see it "
        "(“Rose Ayling-Ellis holding the Glitterball trophy”).",
    )
    image_caption = models.CharField(
        max_length=500,
        blank=True,
        help_text="Shown under the image. Left empty, the first photo caption the importer "
        "kept is shown.",
    )
    image_renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The resized copies of the image: width, height and file name of each.",
    )
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="Empty when the date is unknown. For a scheduled article, the time it is "
        "published by itself.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only published articles, and what was extracted from them, are public. "
        "A scheduled article stays hidden until its publication date, then is published by "
        "itself.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")

    # Provenance: where the text came from, exactly as received.
    source_key = models.CharField(
        max_length=500,
        unique=True,
        help_text="Identifies the story among imports: the file's path inside the folder "
        "imported (“feedA/story.txt”), or its name when the file was named directly, prefixed "
        "with the feed given by --source (“reuters:feedA/story.txt”). Only a revision of this "
        "story may update the article; a different story under the same key is refused.",
    )
    source_name = models.CharField(
        max_length=255,
        db_index=True,
        help_text="Imported file name. Feeds reuse names (“story.txt”): the source key, "
        "not the name, identifies the story.",
    )
    source_sha256 = models.CharField("source SHA-256", max_length=64, unique=True)
    raw_text = models.TextField("raw source", help_text="The file as received, boilerplate kept.")
    imported_values = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="What the last import wrote, so a re-import can tell an editor's change.",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every editorial save increments it; a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(
        excluded_fields=["raw_text", "updated_at", "imported_values", "image_renditions"],
        m2m_fields=[tags, authors],
    )
    objects = ArticleQuerySet.as_manager()

    class Meta:
        # ``save()`` inserts through it (``newsroom.bulk``: the lean INSERT); it filters
        # nothing out, as a base manager must not.
        base_manager_name = "objects"
        ordering = [F("published_at").desc(nulls_last=True), "-pk"]
        get_latest_by = "published_at"
        verbose_name = "article"
        verbose_name_plural = "articles"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "published"]),
                name="article_status_valid",
            ),
            # The time a scheduled article goes public is its publication date.
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(published_at__isnull=False),
                name="article_scheduled_has_date",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(source_sha256__regex=r"^[0-9a-f]{64}$"), name="article_sha256_hex"
            ),
            # Importers and scripts bypass the form: an image never goes out without alt text.
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="article_image_has_alt"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            models.Index(fields=["-published_at"], name="article_published_idx"),
            # The narrowest index holding both the status and the id: counting published
            # articles (every paginated list) and joining them to their quotes, events
            # and tags read it alone (index-only) instead of the 150 MB table (issue 12).
            models.Index(fields=["status", "id"], name="article_status_id_idx"),
            # The sitemap's lastmod: the latest change of a published article (issue 12).
            models.Index(fields=["status", "-updated_at"], name="article_status_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.title, fallback="article")
        adding = self._state.adding
        super().save(*args, **with_updated_at(kwargs))
        state = self._copy_state()
        before = getattr(self, "_copied_state", None)
        if state != before and Article.Status.SCHEDULED in (self.status, before and before[0]):
            from . import scheduling  # the scheduler imports this module

            scheduling.schedule_changed(self)
        if not adding and state != getattr(self, "_copied_state", None):
            for model in (Quote, Mention):
                model.objects.filter(article_id=self.pk).update(
                    article_published=self.status == Article.Status.PUBLISHED,
                    article_published_at=self.published_at,
                )
        shown = self._shown_state()
        before = getattr(self, "_shown", None)
        if not adding and shown != before:
            # Its quotes and events show its date, headline and slug, and are public only
            # while it is: partners syncing with ``updated_after`` must see them move.
            from .sync import touch_article_dependents

            touch_article_dependents([self.pk], visibility=before is None or before[0] != shown[0])
        self._copied_state = state
        self._shown = shown

    def get_absolute_url(self):
        return reverse("web:article", kwargs={"slug": self.slug})

    def get_preview_url(self):
        """Where editors see the article as readers will (staff only; issue 14)."""
        return reverse("web:article-preview", kwargs={"pk": self.pk})

    def saved_in_bulk(self) -> None:
        """After a bulk insert of a new article (the importer's): remember what was
        written, as ``save`` does, so that a later ``save`` tells what changed since."""
        self._copied_state = self._copy_state()
        self._shown = self._shown_state()

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._copied_state = article._copy_state()
        article._shown = article._shown_state()
        return article

    def _shown_state(self):
        """What its quotes and events show of it (status first); ``None`` if deferred."""
        deferred = self.get_deferred_fields()
        return tuple(None if f in deferred else getattr(self, f) for f in ARTICLE_SHOWN)

    def _copy_state(self):
        """What quotes and mentions copy of this article (see :class:`ArticleCopy`);
        ``None`` for a field deferred at load time (then unknown: copied again)."""
        deferred = self.get_deferred_fields()
        return tuple(None if f in deferred else getattr(self, f) for f in ARTICLE_COPY)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self):
        super().clean()
        self.image_alt = " ".join(self.image_alt.split())
        if self.image and not self.image_alt:
            raise ValidationError(
                {"image_alt": "Describe the image for readers who cannot see it."}
            )

    @property
    def lead_image(self) -> images.LeadImage | None:
        """The image as pages show it (renditions, alt text, caption), or None."""
        if not self.image or not self.image_renditions:
            return None
        caption = self.image_caption or (self.captions[0] if self.captions else "")
        return images.LeadImage.of(self, caption=caption)

    def byline_names(self) -> list[str]:
        """Who wrote it, as bylines, feeds and JSON-LD name them: the author people (by
        name; prefetch ``authors`` when listing articles), else the free-text byline."""
        names = [person.name for person in self.authors.all()]
        return names or ([self.byline] if self.byline else [])

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED


class TagSuggestion(models.Model):
    """A tag the importer proposed for an article; editors accept or dismiss it."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        ACCEPTED = "accepted", "accepted"
        DISMISSED = "dismissed", "dismissed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tag_suggestions")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="suggestions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    auto_applied = models.BooleanField(
        default=False,
        help_text="Accepted automatically: the tag recurs across published stories "
        "(NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES). Dismiss it to take the tag off the story.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LeanInsertQuerySet.as_manager()

    class Meta:
        ordering = ["article", "tag"]
        verbose_name = "tag suggestion"
        verbose_name_plural = "tag suggestions"
        constraints = [
            models.UniqueConstraint(fields=["article", "tag"], name="tag_suggestion_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "dismissed"]),
                name="tag_suggestion_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="tag_suggestion_status_idx")]

    def __str__(self):
        return f"{self.tag} for {self.article} ({self.status})"


SPAN_CONSTRAINTS = [
    models.CheckConstraint(condition=Q(start__gte=0), name="%(class)s_start_not_negative"),
    models.CheckConstraint(condition=Q(start__lt=F("end")), name="%(class)s_start_before_end"),
]


# --- What quotes and mentions copy of their article -----------------------------------------

ARTICLE_COPY = ("status", "published_at")
# What the API shows of an article on its quotes and events (issue 15, ``updated_at``).
ARTICLE_SHOWN = ("status", "published_at", "title", "slug")


class ArticleCopy(models.Model):
    """Whether the row's article is published, and when: copied onto every quote and
    mention, so that a person's public quotes, stories and their dates are read from the
    person's own index entries, in order, instead of joining each of them to its article
    (issue 12: a person quoted in 13,000 stories read 13,000 articles four times a page).

    Kept by the model: a new row copies its article (``save``, and ``bulk_create`` via
    :class:`ArticleCopyQuerySet`); an article whose status or date changes (publish,
    unpublish, import, admin, API: every write goes through ``Article.save``) rewrites
    its rows' copy. Writes that bypass both (raw SQL, ``QuerySet.update`` of articles)
    must call :func:`copy_article_state`."""

    article_published = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="Copy of the article's status (published or not), kept by the model.",
    )
    article_published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Copy of the article's publication date, kept by the model.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.article_id != getattr(self, "_copied_from", None):
            self.copy_article()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *ARTICLE_COPY_FIELDS}
        super().save(*args, **kwargs)
        self._copied_from = self.article_id

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._copied_from = row.article_id
        return row

    def copy_article(self, article=None) -> None:
        article = article or self.article
        self.article_published = article.status == Article.Status.PUBLISHED
        self.article_published_at = article.published_at


ARTICLE_COPY_FIELDS = ("article_published", "article_published_at")


class ArticleCopyQuerySet(LeanInsertQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Like ``QuerySet.bulk_create``, with each row's copy of its article (read in one
        query for the rows whose article object is not at hand)."""
        objs = list(objs)
        missing = {o.article_id for o in objs if not self.model.article.is_cached(o)}
        found = Article.objects.only(*ARTICLE_COPY).in_bulk(missing) if missing else {}
        for row in objs:
            row.copy_article(found.get(row.article_id) or row.article)
        return super().bulk_create(objs, *args, **kwargs)


def copy_article_state(*, article_ids=None) -> None:
    """Rewrite the quotes' and mentions' copy of their article's status and date (of the
    articles ``article_ids``, or all): after writes that bypass ``Article.save``, and in
    the migration that added the copy."""
    for model in (Quote, Mention):
        rows = model.objects.all()
        if article_ids is not None:
            rows = rows.filter(article_id__in=article_ids)
        article = Article.objects.filter(pk=models.OuterRef("article_id"))
        rows.update(
            article_published=models.Exists(article.filter(status=Article.Status.PUBLISHED)),
            article_published_at=models.Subquery(article.values("published_at")[:1]),
        )
    if article_ids is not None:
        from .sync import touch_article_dependents

        touch_article_dependents(article_ids, visibility=True)


class MentionQuerySet(ArticleCopyQuerySet):
    def published(self):
        """Mentions in published articles."""
        return self.filter(article_published=True)


class Mention(ArticleCopy):
    """A person named in an article, with character offsets into its body."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start"]
        verbose_name = "mention"
        verbose_name_plural = "mentions"
        constraints = [
            *SPAN_CONSTRAINTS,
            models.UniqueConstraint(fields=["article", "start"], name="mention_unique_start"),
        ]
        indexes = [
            models.Index(fields=["person", "article"], name="mention_person_idx"),
            # A person's published stories and their dates, from the index alone, in date
            # order (the status after the date: SQLite tests a boolean column, it does
            # not match it to an index prefix).
            models.Index(
                fields=["person", "article_published_at", "article", "article_published"],
                name="mention_person_published_idx",
            ),
        ]

    def __str__(self):
        return f"{self.person} in {self.article} [{self.start}:{self.end}]"


def publish_min_confidence() -> float:
    """The confidence an unreviewed quote needs to be public: the setting
    ``NEWSROOM_PUBLISH_MIN_CONFIDENCE``, read when asked, so that every query and every
    import uses its current value."""
    return settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE


class QuoteQuerySet(ArticleCopyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Like ``ArticleCopyQuerySet.bulk_create``, with each quote's fingerprint."""
        objs = list(objs)
        for quote in objs:
            quote.fingerprint = canonical_words.fingerprint(canonical_words.words(quote.text))
        return super().bulk_create(objs, *args, **kwargs)

    def public(self):
        """Quotes readers may see: from a published article, and either confirmed by an
        editor or unreviewed with a confidence of at least ``publish_min_confidence()``.
        Rejected quotes never.

        The one definition of a public quote: pages, feeds, search and the API all use it.
        A misattributed quote is the worst error a newsroom can publish, so the extractor's
        unsure guesses wait for an editor instead.

        The article's status is read from the quote's copy of it (see
        :class:`ArticleCopy`): no join to the article.
        """
        return self.filter(
            Q(status=Quote.Status.CONFIRMED)
            | Q(status=Quote.Status.AUTO, confidence__gte=publish_min_confidence()),
            article_published=True,
        )

    def public_once_published(self):
        """The quotes ``public()`` will show once their article is published: what an
        editor's preview of a draft shows."""
        return self.filter(
            Q(status=Quote.Status.CONFIRMED)
            | Q(status=Quote.Status.AUTO, confidence__gte=publish_min_confidence())
        )

    def unreviewed(self):
        return self.filter(status=Quote.Status.AUTO)

    def held_back(self):
        """Unreviewed quotes below the publish threshold: hidden until an editor confirms."""
        return self.filter(status=Quote.Status.AUTO, confidence__lt=publish_min_confidence())


class Quote(ArticleCopy):
    class Status(models.TextChoices):
        AUTO = "auto", "unreviewed"
        CONFIRMED = "confirmed", "confirmed"
        REJECTED = "rejected", "rejected"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField()
    speaker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,  # a person with quotes is merged, never deleted
        null=True,
        blank=True,
        related_name="quotes",
    )
    speaker_label = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who spoke when it is not a named person: “one fan”, “a BBC spokeswoman”.",
    )
    suggested_speaker = models.ForeignKey(
        Person,
        # A hint, not a fact: a merge moves it, removing the person simply drops it.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_quotes",
        help_text="Who the importer thinks said it, when it was not sure enough to publish "
        "the quote under that name. Check it against the story, then use “Accept the "
        "suggested speaker and confirm”, or set the speaker yourself.",
    )
    start = models.PositiveIntegerField(help_text="Offset of the first quoted character.")
    end = models.PositiveIntegerField(help_text="Offset just after the last quoted character.")
    partial = models.BooleanField(
        default=False, help_text="A fragment quoted inside the reporter's own sentence."
    )
    attribution_rule = models.CharField(max_length=40, blank=True)
    confidence = models.FloatField(
        default=0.0,
        help_text="How sure the extractor was of the speaker (calibrated, 0 to 1). Unreviewed "
        "quotes below the publish threshold stay hidden until an editor confirms them.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.AUTO,
        help_text="Confirmed quotes are public; unreviewed ones only when the extractor was "
        "sure enough (see confidence). Rejected quotes are hidden from the public and stay "
        "rejected on re-import.",
    )
    speaker_corrected = models.BooleanField(
        default=False,
        editable=False,
        help_text="An editor set the speaker; re-imports keep it.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(
        auto_now=True,
        help_text="When what the API shows of the quote last changed, its visibility "
        "included (see articles/sync.py).",
    )

    canonical = models.ForeignKey(
        "CanonicalQuote",
        # An emptied group is deleted by the services; a deleted one leaves its quotes
        # ungrouped until the next import or rebuild groups them again.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="occurrences",
        db_index=False,  # quote_canonical_idx starts with it
        help_text="The canonical quote this one is an occurrence of (the same words in "
        "other stories). Split or merge groups from the canonical quotes' admin.",
    )
    fingerprint = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Digest of the normalised words (extraction.canonical), kept by the model.",
    )

    history = HistoricalRecords(excluded_fields=[*ARTICLE_COPY_FIELDS, "updated_at", "fingerprint"])
    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start"]
        verbose_name = "quote"
        verbose_name_plural = "quotes"
        constraints = [
            *SPAN_CONSTRAINTS,
            models.CheckConstraint(
                condition=Q(status__in=["auto", "confirmed", "rejected"]),
                name="quote_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="quote_confidence_range",
            ),
        ]
        indexes = [
            models.Index(fields=["speaker", "status"], name="quote_speaker_status_idx"),
            # Every column ``public()`` reads, so that counting public quotes (the API's
            # quote list, a person's quotes) is an index-only join with
            # ``article_status_id_idx`` instead of two full table scans (issue 12). By
            # article for PostgreSQL (which scans it whole, in article order); the review
            # queue's index, by status and confidence, also holds the article for
            # SQLite, which reads its two ranges (confirmed; unreviewed and sure enough).
            models.Index(fields=["article", "status", "confidence"], name="quote_public_idx"),
            models.Index(fields=["status", "confidence", "article"], name="quote_review_queue_idx"),
            # A speaker's public quotes, their stories and dates, from the index alone and
            # in date order (the person page's counts, years and timeline, the speaker's
            # feed and "more quotes"; issue 12). Status after the date, as for mentions.
            models.Index(
                fields=[
                    *("speaker", "article_published_at", "article", "id"),
                    *("article_published", "status", "confidence"),
                ],
                name="quote_speaker_public_idx",
            ),
            # Counting every public quote (the API's list) from the index alone: SQLite
            # reads its two ranges (confirmed; unreviewed and sure enough).
            models.Index(
                fields=["status", "confidence", "article_published"], name="quote_public_count_idx"
            ),
            # Partners sync with ``updated_after`` (issue 15).
            models.Index(fields=["updated_at", "id"], name="quote_updated_idx"),
            # Exact matches of a new quote's normalised words: one probe for the oldest
            # group holding them (issue 15; the group too since issue 13).
            models.Index(fields=["fingerprint", "canonical"], name="quote_fingerprint_idx"),
            # A group's public occurrences in publication order (the permalink, the API).
            models.Index(
                fields=["canonical", "article_published_at", "id"], name="quote_canonical_idx"
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"“{text}”"

    def save(self, *args, **kwargs):
        self.fingerprint = canonical_words.fingerprint(canonical_words.words(self.text))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fingerprint"}
        super().save(*args, **with_updated_at(kwargs))

    def get_absolute_url(self):
        return reverse("web:quote", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        quote = super().from_db(db, field_names, values)
        quote._visibility = quote.visibility_state()
        return quote

    def visibility_state(self) -> tuple:
        """What decides whether its speaker is public through it (``articles.sync``)."""
        return tuple(self.__dict__.get(f) for f in ("status", "confidence", "speaker_id"))

    @property
    def display_text(self) -> str:
        """The quote as readers see it (``articles.quote_display``); ``text`` stays the
        source's exact characters, which the offsets point at."""
        return quote_display.display_text(self.text, partial=self.partial)

    @property
    def share_text(self) -> str:
        """The display text without bracketed placeholders, for share links."""
        return quote_display.share_text(self.text, partial=self.partial)

    @property
    def attributed_to(self) -> str:
        if self.speaker_id:
            return self.speaker.name
        return self.speaker_label or "unattributed"

    def holds_its_words(self, body: str | None = None) -> bool:
        """Whether the quote's offsets still point at its text in ``body`` (by default its
        article's): false after an editor removed or rewrote the words."""
        return holds(self.article.body if body is None else body, self.start, self.end, self.text)


# --- Canonical quotes (issue 15) -------------------------------------------------------------


class CanonicalQuoteQuerySet(LeanInsertQuerySet):
    def public(self):
        """Groups with at least one public occurrence: any other answers like an unknown
        id, so a group of drafts never shows through (one indexed probe per group)."""
        return self.filter(
            models.Exists(Quote.objects.public().filter(canonical_id=models.OuterRef("pk")))
        )

    def needs_review(self):
        return self.filter(speaker_disputed=True)


class CanonicalQuote(models.Model):
    """One quote as said once, however many stories reported it: its occurrences are the
    quotes grouped under it (``Quote.canonical``), grouped by ``articles.canonical``."""

    text = models.TextField(
        help_text="The words of its longest occurrence, for editors. Readers see the words "
        "of the occurrences they may see (a draft's never)."
    )
    speaker = models.ForeignKey(
        Person,
        # A hint kept by the grouping; the occurrences carry the attribution.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="canonical_quotes",
        help_text="The speaker all its occurrences agree on (rejected ones aside); empty "
        "when none is named or when they disagree.",
    )
    speaker_disputed = models.BooleanField(
        "speakers disagree",
        default=False,
        help_text="Its occurrences name different speakers: check them, then correct a "
        "quote's speaker or split the group.",
    )
    locked = models.BooleanField(
        "arranged by an editor",
        default=False,
        help_text="An editor split or merged it: rebuilding the groups keeps its occurrences "
        "as they are (new imports may still join it).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CanonicalQuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = "canonical quote"
        verbose_name_plural = "canonical quotes"
        indexes = [
            models.Index(fields=["speaker_disputed"], name="canonical_disputed_idx"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"“{text}”"

    def get_absolute_url(self):
        return reverse("api:canonical-quote-detail", kwargs={"pk": self.pk})


class QuoteKey(models.Model):
    """A key a quote is found by when later quotes look for their near-duplicates and
    containers (``extraction.canonical.shingle_keys``): a few per quote, indexed by key."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="keys")
    key = models.BigIntegerField()

    objects = LeanInsertQuerySet.as_manager()

    class Meta:
        # By the column, not by "quote" (which orders by the quote's own ordering: a join
        # of quote and article for every key read, issue 13's growth bench).
        ordering = ["key", "quote_id"]
        verbose_name = "quote key"
        verbose_name_plural = "quote keys"
        constraints = [
            models.UniqueConstraint(fields=["key", "quote"], name="quote_key_unique"),
        ]

    def __str__(self):
        return f"{self.key} → quote {self.quote_id}"


class RemovedQuoteQuerySet(models.QuerySet):
    def public(self):
        """Removed quotes of published articles: readers get 410 Gone for these, and 404
        for any other id, so a draft never shows through."""
        return self.filter(article__status=Article.Status.PUBLISHED)


class RemovedQuote(models.Model):
    """The id of a quote that a re-import removed because its words left the story.

    Readers and partners share quote permalinks, so a removed quote's URL answers 410 Gone
    with a link to its article instead of 404 (issue 11). Ids that never existed stay 404.
    """

    quote_id = models.BigIntegerField(
        "quote id", primary_key=True, help_text="The removed quote's id, as in its permalink."
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="removed_quotes")
    removed_at = models.DateTimeField(auto_now_add=True)

    objects = RemovedQuoteQuerySet.as_manager()

    class Meta:
        ordering = ["quote_id"]
        verbose_name = "removed quote"
        verbose_name_plural = "removed quotes"

    def __str__(self):
        return f"quote {self.quote_id}, removed from {self.article}"

    def get_absolute_url(self):
        return reverse("web:quote", kwargs={"pk": self.quote_id})


class EventQuerySet(LeanInsertQuerySet):
    def public(self):
        return self.filter(article__status=Article.Status.PUBLISHED)

    def chronological(self):
        return self.order_by(F("date").asc(nulls_last=True), "pk")


class Event(models.Model):
    """A dated happening reported in an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    summary = models.CharField(max_length=500)
    date = models.DateField(
        null=True, blank=True, help_text="First day of the period; empty when unknown."
    )
    # NULL, not "", means "unknown": it pairs with a NULL date in a constraint.
    date_precision = models.CharField(  # noqa: DJ001
        max_length=5, choices=DatePrecision.choices, null=True, blank=True
    )
    people = models.ManyToManyField(Person, blank=True, related_name="events")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    updated_at = models.DateTimeField(
        auto_now=True,
        help_text="When what the API shows of the event last changed, its visibility "
        "included (see articles/sync.py).",
    )

    history = HistoricalRecords(m2m_fields=[people], excluded_fields=["updated_at"])
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = [F("date").asc(nulls_last=True), "pk"]
        verbose_name = "event"
        verbose_name_plural = "events"
        constraints = [
            *SPAN_CONSTRAINTS,
            models.CheckConstraint(
                condition=Q(date_precision__in=["day", "month", "year"])
                | Q(date_precision__isnull=True),
                name="event_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True, date_precision__isnull=True)
                | Q(date__isnull=False, date_precision__isnull=False),
                name="event_date_has_precision",
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="event_date_idx"),
            # Partners sync with ``updated_after`` (issue 15).
            models.Index(fields=["updated_at", "id"], name="event_updated_idx"),
        ]

    def __str__(self):
        return self.summary

    def save(self, *args, **kwargs):
        super().save(*args, **with_updated_at(kwargs))


class ContentVersion(models.Model):
    """A single row whose token changes, in the writing transaction, on every write to
    anything readers see (see ``articles/content_version.py``).

    It is the validator behind the website's and the API's ETag and Last-Modified headers
    and the key of their page and response caches. Kept in the database (not the cache) so
    that every process — gunicorn workers, the import command, the admin — sees the same
    version.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()
    # Changes only with writes that may withdraw or alter public content (a retraction):
    # what anonymous readers are served follows it at once, and additions within seconds.
    retraction_token = models.CharField(max_length=32, default="")
    # The earliest publication time of a scheduled article (issue 14; articles.scheduling):
    # read with the token on every request, so that no request needs another query to
    # know whether an article is due.
    next_publication_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "content version"
        verbose_name_plural = "content versions"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="content_version_single_row"),
        ]

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class ImportRun(models.Model):
    """One import of many files in the background (issue 13): its progress and totals.

    Its files are imported by tasks of batches (``articles.tasks.import_batch``), on as
    many workers as are running; each worker adds its outcomes here as it goes, so a page or
    ``manage.py import_status`` shows how far it got. The counts are those of the
    command's summary; the outcome of each file is an ``ImportRunFile``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        FINISHED = "finished", "finished"
        # A batch stopped on an error outside any one file (the database went away, a
        # worker crashed): the files of that batch were not all imported.
        FAILED = "failed", "failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
        help_text="Who started it (none for the command line).",
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="What was imported (paths, an upload)."
    )
    publish = models.BooleanField(default=False)
    max_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    batch_size = models.PositiveIntegerField()
    batches = models.PositiveIntegerField(default=0)
    task_ids = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(help_text="Files to import.")
    done = models.PositiveIntegerField(default=0, help_text="Files imported so far.")
    # The import summary's counts (articles.importing statuses and what was created).
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    quotes_created = models.PositiveIntegerField(default=0)
    quotes_removed = models.PositiveIntegerField(default=0)
    events_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why a batch stopped, if one did.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "import run"
        verbose_name_plural = "import runs"

    def __str__(self):
        return f"import {self.pk}: {self.done}/{self.total} files, {self.status}"

    @property
    def progress(self) -> float:
        """The share of files imported, from 0 to 1."""
        return self.done / self.total if self.total else 1.0


class ImportRunFile(models.Model):
    """What importing one file of an ``ImportRun`` did (``articles.importing.ImportOutcome``)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    # The file's place in the run: a batch run twice skips the files it already recorded.
    position = models.PositiveIntegerField()
    path = models.TextField()
    key = models.CharField("source key", max_length=500, blank=True)
    status = models.CharField(max_length=10)
    reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "position"]
        verbose_name = "imported file"
        verbose_name_plural = "imported files"
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="import_run_file_position"),
        ]
        indexes = [models.Index(fields=["run", "status"], name="import_run_file_status")]

    def __str__(self):
        return f"{self.path}: {self.status}"
