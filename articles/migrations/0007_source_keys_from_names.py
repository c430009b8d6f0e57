"""Existing articles keep working: each gets the key it was imported under so far, its file
name (issue 11), in their history records too. A re-import of the same story from a folder
finds it by that name and moves it to its new key (see ``articles.importing``)."""

from django.db import migrations
from django.db.models import F


def keys_from_names(apps, schema_editor):
    for model in ("Article", "HistoricalArticle"):
        manager = apps.get_model("articles", model)._base_manager
        manager.filter(source_key__isnull=True).update(source_key=F("source_name"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_article_source_key"),
    ]

    operations = [
        # Going back, 0006 drops the column: nothing to undo here.
        migrations.RunPython(keys_from_names, migrations.RunPython.noop, elidable=True),
    ]
