"""Source keys (issue 11): an article's key identifies the story, not its bare file name.

Three steps, so that on PostgreSQL no table is altered in the transaction that rewrites its
rows: this one adds the column (empty), 0007 gives every existing article and history
record the key it was imported under until now (its file name), 0008 makes it required and
unique. The file name stops being unique: two feeds may both hold a ``story.txt``.
"""

from django.db import migrations, models

SOURCE_KEY_HELP = (
    "Identifies the story among imports: the file's path inside the folder imported "
    "(“feedA/story.txt”), or its name when the file was named directly, prefixed with the "
    "feed given by --source (“reuters:feedA/story.txt”). Only a revision of this story may "
    "update the article; a different story under the same key is refused."
)
SOURCE_NAME_HELP = (
    "Imported file name. Feeds reuse names (“story.txt”): the source key, not the name, "
    "identifies the story."
)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_quote_suggested_speaker"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="source_key",
            field=models.CharField(help_text=SOURCE_KEY_HELP, max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="source_key",
            field=models.CharField(help_text=SOURCE_KEY_HELP, max_length=500, null=True),
        ),
        migrations.AlterField(
            model_name="article",
            name="source_name",
            field=models.CharField(db_index=True, help_text=SOURCE_NAME_HELP, max_length=255),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="source_name",
            field=models.CharField(db_index=True, help_text=SOURCE_NAME_HELP, max_length=255),
        ),
    ]
