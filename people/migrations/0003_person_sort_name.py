"""People are listed by surname (issue 15): a stored sort key, filled for everyone."""

from django.db import migrations, models

from extraction.names import sort_key


def fill(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    rows = list(Person.objects.only("pk", "name"))
    for person in rows:
        person.sort_name = sort_key(person.name)
    Person.objects.bulk_update(rows, ["sort_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_name_idx")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="sort_name",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Surname first, without accents or case: how the people index sorts.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="historicalperson",
            name="sort_name",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Surname first, without accents or case: how the people index sorts.",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_name", "id"], name="person_sort_name_idx"),
        ),
    ]
