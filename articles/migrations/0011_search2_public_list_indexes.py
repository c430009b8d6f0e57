"""Indexes for counting public articles and quotes without reading the tables (issue 12).

At 100,000 articles the API's article and quote lists spent most of their time in the
paginator's ``COUNT(*)``: a full scan of the article table (150 MB), and for quotes a hash
join of full scans of both tables. ``(status, id)`` on articles and ``(article, status,
confidence)`` on quotes hold every column those counts read, so PostgreSQL answers them
from the indexes (index-only once the tables are vacuumed, as autovacuum does after an
import). SQLite reads the public quotes as two ranges of the review queue's index
``(status, confidence)``, which therefore gains the article too. ``(status, -updated_at)``
gives the sitemap the latest change of a published article without reading them all.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_latest_first_index"),
        ("people", "0002_person_name_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "id"], name="article_status_id_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-updated_at"], name="article_status_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["article", "status", "confidence"], name="quote_public_idx"),
        ),
        migrations.RemoveIndex(model_name="quote", name="quote_review_queue_idx"),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                fields=["status", "confidence", "article"], name="quote_review_queue_idx"
            ),
        ),
    ]
