from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="imported_values",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="What the last import wrote, so a re-import can tell an editor's change.",
            ),
        ),
    ]
