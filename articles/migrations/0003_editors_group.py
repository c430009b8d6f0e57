"""The "Editors" group: exactly the permissions editorial curation needs (issue 5).

Editors review quotes, correct speakers, tag, publish and unpublish articles, edit events,
curate people (aliases, merge, "not a person") and read every record's history.
They cannot add or delete articles (the importer creates them; unpublish hides one) and
cannot add or delete quotes (the importer creates them; rejecting hides one).
Deleting people, mentions, redirects and tag suggestions is granted because merging,
"not a person" and deleting an unused tag or person remove those rows.

Permissions are created here explicitly, so the group is complete on a fresh database
(Django otherwise creates them only after all migrations, in post_migrate).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"

EDITOR_PERMISSIONS = {
    "articles": {
        "article": ["view", "change"],
        "quote": ["view", "change"],
        "event": ["view", "add", "change", "delete"],
        "tag": ["view", "add", "change", "delete"],
        "tagsuggestion": ["view", "change", "delete"],
        "mention": ["view", "delete"],
        "historicalarticle": ["view"],
        "historicalquote": ["view"],
        "historicalevent": ["view"],
        "historicaltag": ["view"],
    },
    "people": {
        "person": ["view", "add", "change", "delete"],
        "alias": ["view", "add", "change", "delete"],
        "personredirect": ["view", "delete"],
        "rejectedname": ["view"],
        "historicalperson": ["view"],
        "historicalalias": ["view"],
    },
}


def create_editors_group(apps, schema_editor):
    db = schema_editor.connection.alias
    for label in EDITOR_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # the migration state's stub has none
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=EDITORS_GROUP)
    wanted = []
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                wanted.append(
                    Permission.objects.using(db).get(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename=f"{action}_{model}",
                    )
                )
    group.permissions.set(wanted)


def remove_editors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_article_imported_values"),
        ("people", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
