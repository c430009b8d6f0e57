"""Every article now has a source key (0007): make it required and unique."""

from django.db import migrations, models

SOURCE_KEY_HELP = (
    "Identifies the story among imports: the file's path inside the folder imported "
    "(“feedA/story.txt”), or its name when the file was named directly, prefixed with the "
    "feed given by --source (“reuters:feedA/story.txt”). Only a revision of this story may "
    "update the article; a different story under the same key is refused."
)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_source_keys_from_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="source_key",
            field=models.CharField(help_text=SOURCE_KEY_HELP, max_length=500, unique=True),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="source_key",
            field=models.CharField(db_index=True, help_text=SOURCE_KEY_HELP, max_length=500),
        ),
    ]
