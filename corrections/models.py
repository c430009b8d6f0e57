"""Corrections: what an editor tells readers was wrong in a published story (issue 14).

A correction is a public, dated note on an article. A *withdrawal* is a correction that
names a quote taken out of public view: the quote's permalink then answers 410 Gone with
the note, instead of silently vanishing. Both are shown on the article page, in its JSON-LD
(``correction``) and in the API; nothing of a draft's corrections is public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from articles.models import Article, Quote


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections of published articles: the only ones readers may see."""
        return self.filter(article__status=Article.Status.PUBLISHED)

    def in_page_order(self):
        """As the article page lists them: oldest first, as they were published."""
        return self.order_by("published_on", "pk")


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "correction"
        WITHDRAWAL = "withdrawal", "quote withdrawn"

    # A new correction revises what readers already saw (the article's page, its JSON-LD):
    # it is published at once, never after the additions' grace (content_version).
    creating_retracts = True

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        db_index=False,  # correction_article_idx below starts with it
        related_name="corrections",
    )
    quote = models.ForeignKey(
        Quote,
        # Re-imports delete the rows of quotes whose words left the story, in bulk and
        # without the ORM's collector: no database constraint may stop them, and the
        # correction must outlive the quote (its words are kept in ``quote_text``).
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # correction_quote_idx below
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The quote corrected or withdrawn, if the correction is about one.",
    )
    quote_text = models.TextField(
        "quote's words",
        blank=True,
        editable=False,
        help_text="The quote's words when the correction was made: readers are told which "
        "quote was withdrawn, even after the quote itself is gone.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    note = models.TextField(
        "public note",
        help_text="Shown to readers as written, under the story: what was wrong and what is right.",
    )
    published_on = models.DateField("date", default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["published_on", "pk"]
        verbose_name = "correction"
        verbose_name_plural = "corrections"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["correction", "withdrawal"]), name="correction_kind_valid"
            ),
            # Not blank, nor only spaces: readers must be told something.
            models.CheckConstraint(condition=Q(note__regex=r"\S"), name="correction_note_given"),
            models.CheckConstraint(
                condition=~Q(kind="withdrawal") | Q(quote__isnull=False),
                name="correction_withdrawal_names_quote",
            ),
        ]
        indexes = [
            # The article page's read: one article's corrections, in date order.
            models.Index(fields=["article", "published_on"], name="correction_article_idx"),
            # A quote permalink's read: is this (missing) quote a withdrawn one?
            models.Index(fields=["quote", "kind"], name="correction_quote_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} of {self.published_on}: {self.note[:60]}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A correction modifies its story: the article's modification time (JSON-LD
        # ``dateModified``, feeds' updated dates, the API's ``updated_at``) moves with it.
        Article.objects.filter(pk=self.article_id).update(updated_at=timezone.now())

    def get_absolute_url(self):
        return self.article.get_absolute_url() + "#corrections"
