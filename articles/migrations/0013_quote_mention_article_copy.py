"""Quotes and mentions copy their article's status and publication date (issue 12).

A person's page counted, dated and ordered their quotes and stories by joining every one
of them to its article: four times 13,000 article lookups for a much-quoted person at
100,000 articles. With the copy (kept by the models, see ``articles.models.ArticleCopy``)
those reads are the person's own index entries. Existing rows get their copy here.
"""

from django.db import migrations, models

PUBLISHED_HELP = "Copy of the article's status (published or not), kept by the model."
DATE_HELP = "Copy of the article's publication date, kept by the model."


def copy_article_state(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for name in ("Quote", "Mention"):
        article = Article.objects.filter(pk=models.OuterRef("article_id"))
        apps.get_model("articles", name).objects.update(
            article_published=models.Exists(article.filter(status="published")),
            article_published_at=models.Subquery(article.values("published_at")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_content_version_retraction_token"),
        ("people", "0002_person_name_idx"),
    ]

    operations = [
        *(
            operation
            for model in ("mention", "quote")
            for operation in (
                migrations.AddField(
                    model_name=model,
                    name="article_published",
                    field=models.BooleanField(
                        db_default=False, default=False, editable=False, help_text=PUBLISHED_HELP
                    ),
                ),
                migrations.AddField(
                    model_name=model,
                    name="article_published_at",
                    field=models.DateTimeField(
                        blank=True, editable=False, help_text=DATE_HELP, null=True
                    ),
                ),
            )
        ),
        migrations.RunPython(copy_article_state, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                fields=["person", "article_published_at", "article", "article_published"],
                name="mention_person_published_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                fields=[
                    *("speaker", "article_published_at", "article", "id"),
                    *("article_published", "status", "confidence"),
                ],
                name="quote_speaker_public_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                fields=["status", "confidence", "article_published"],
                name="quote_public_count_idx",
            ),
        ),
    ]
