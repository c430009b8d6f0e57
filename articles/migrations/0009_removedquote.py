"""Removed quotes (issue 11): the ids of quotes a re-import removed, so that their
permalinks answer 410 Gone with a link to the article instead of 404."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_source_key_unique"),
    ]

    operations = [
        migrations.CreateModel(
            name="RemovedQuote",
            fields=[
                (
                    "quote_id",
                    models.BigIntegerField(
                        help_text="The removed quote's id, as in its permalink.",
                        primary_key=True,
                        serialize=False,
                        verbose_name="quote id",
                    ),
                ),
                ("removed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="removed_quotes",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "removed quote",
                "verbose_name_plural": "removed quotes",
                "ordering": ["quote_id"],
            },
        ),
    ]
