"""People named in articles. This app knows nothing of articles (they depend on it)."""

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from newsroom.bulk import LeanInsertQuerySet


def normalize_name(text: str) -> str:
    """The form names are compared in: case-folded, inner white space collapsed."""
    return " ".join(text.split()).casefold()


def directory_key(name: str) -> str:
    """The key the people index sorts by: surname first (``extraction.names.sort_key``)."""
    from extraction.names import sort_key

    return sort_key(name)


class PersonQuerySet(LeanInsertQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Like ``QuerySet.bulk_create``, with the derived name fields ``save`` fills (a
        ``sort_name`` already given is kept: the importer's parser works it out)."""
        objs = list(objs)
        for person in objs:
            person.name_normalized = normalize_name(person.name)
            person.sort_name = person.sort_name or directory_key(person.name)
        return super().bulk_create(objs, *args, **kwargs)

    def by_name_or_alias(self, text: str):
        """People whose canonical name or any alias is exactly ``text`` (case-insensitive)."""
        key = normalize_name(text)
        return self.filter(
            models.Q(name_normalized=key) | models.Q(aliases__normalized=key)
        ).distinct()

    def matching(self, text: str):
        """People whose name or any alias contains ``text`` (case-insensitive)."""
        return self.filter(
            models.Q(name__icontains=text) | models.Q(aliases__text__icontains=text)
        ).distinct()


class Person(models.Model):
    name = models.CharField(
        max_length=200,
        help_text="Canonical full name, as the desk writes it (e.g. “Rose Ayling-Ellis”).",
    )
    name_normalized = models.CharField(max_length=200, editable=False, db_index=True)
    sort_name = models.CharField(
        max_length=200,
        editable=False,
        default="",
        help_text="Surname first, without accents or case: how the people index sorts.",
    )
    slug = models.SlugField(max_length=220, unique=True)
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One line that tells readers who this is (e.g. “EastEnders actress”).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "person"
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="person_name_not_empty"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="person_slug_not_empty"),
        ]
        # The people index walks people in surname order from a cursor (issues 12, 15).
        indexes = [
            models.Index(fields=["name", "id"], name="person_name_idx"),
            models.Index(fields=["sort_name", "id"], name="person_sort_name_idx"),
            # Partners sync with ``updated_after`` (issue 15).
            models.Index(fields=["updated_at", "id"], name="person_updated_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_normalized = normalize_name(self.name)
        self.sort_name = directory_key(self.name)
        if not self.slug:
            self.slug = unique_slug(Person, self.name, fallback="person")
        if kwargs.get("update_fields") is not None:  # partners sync by updated_at (issue 15)
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
        self._shown = (self.name, self.slug)

    def get_absolute_url(self):
        return reverse("web:person", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        # What other records show of the person: a change moves their ``updated_at``.
        person._shown = tuple(person.__dict__.get(f) for f in ("name", "slug"))
        return person


class AliasKind(models.TextChoices):
    FIRST_NAME = "first_name", "first name"
    SURNAME = "surname", "surname"
    TITLED = "titled", "title and surname"
    STAGE_NAME = "stage_name", "stage name"
    HANDLE = "handle", "social handle"
    FORMER_NAME = "former_name", "former or merged name"
    OTHER = "other", "other"


ALIAS_KINDS = [kind.value for kind in AliasKind]


class Alias(models.Model):
    Kind = AliasKind

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=200, help_text="Another way articles name this person.")
    normalized = models.CharField(max_length=200, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    objects = LeanInsertQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "text"]
        verbose_name = "alias"
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "normalized"], name="alias_unique_per_person"
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="alias_text_not_empty"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ALIAS_KINDS), name="alias_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["normalized"], name="alias_normalized_idx")]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.text)
        super().save(*args, **kwargs)


class PersonRedirectQuerySet(models.QuerySet):
    def kept_person(self, old_slug: str, *, among=None) -> Person | None:
        """The person a merged slug now stands for, if ``old_slug`` is no current slug.

        ``among`` (a Person queryset) limits the answer to people the caller may show, so
        that a redirect never reveals someone who is not public.
        """
        if Person.objects.filter(slug=old_slug).exists():
            return None
        moved = self.filter(old_slug=old_slug).values_list("person_id", flat=True).first()
        if moved is None:
            return None
        people = Person.objects.all() if among is None else among
        return people.filter(pk=moved).first()


class PersonRedirect(models.Model):
    """The slug of a person merged into another: its old URL redirects to the kept person
    on the website, in the API and in the feeds."""

    old_slug = models.SlugField(max_length=220, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonRedirectQuerySet.as_manager()

    class Meta:
        ordering = ["old_slug"]
        verbose_name = "person redirect"
        verbose_name_plural = "person redirects"

    def __str__(self):
        return f"{self.old_slug} → {self.person.slug}"


class RejectedName(models.Model):
    """A name editors marked as “not a person”: the importer never proposes it again."""

    name = models.CharField(max_length=200)
    normalized = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "rejected name"
        verbose_name_plural = "rejected names"
        constraints = [
            models.UniqueConstraint(fields=["normalized"], name="rejected_name_unique"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


def unique_slug(model, text: str, *, fallback: str, max_length: int = 200) -> str:
    """A slug for ``text`` not yet used by ``model`` ("rose-ayling-ellis", then "-2", ...)."""
    base = slugify(text)[:max_length].strip("-") or fallback
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
