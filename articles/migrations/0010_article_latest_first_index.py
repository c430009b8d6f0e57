"""An index that serves ``Article.objects.published().latest_first()`` on PostgreSQL.

The home page, tag pages and feeds list published stories by ``published_at DESC NULLS
LAST, id DESC`` (undated stories last). PostgreSQL can read that order from an index only
if the index has the same NULLS LAST, which ``article_status_pub_idx`` (plain DESC, so
NULLS FIRST) has not: at 100,000 articles every page sorted every published story (issue
12). SQLite cannot declare NULLS LAST in an index, and needs none: its DESC order already
puts NULLs last, so it walks ``article_status_pub_idx``. Hence PostgreSQL only.
"""

from django.db import migrations

INDEX = "article_latest_first_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article "
            "(status, published_at DESC NULLS LAST, id DESC)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_removedquote")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
