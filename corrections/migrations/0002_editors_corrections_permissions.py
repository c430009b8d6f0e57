"""The Editors group may publish corrections and withdraw quotes (issue 14, point 5).

Editors view, add and change corrections (fixing a typo in a note) and read their history.
They cannot delete one: a published correction is part of the public record. Permissions
are created here explicitly, as in articles/0003_editors_group, so the group is complete on
a fresh database (Django otherwise creates them only after all migrations).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
PERMISSIONS = {
    "correction": ["view", "add", "change"],
    "historicalcorrection": ["view"],
}


def _permissions(apps, db):
    app_config = apps.get_app_config("corrections")
    app_config.models_module = True  # the migration state's stub has none
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.using(db).get(
            content_type__app_label="corrections",
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for model, actions in PERMISSIONS.items()
        for action in actions
    ]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.using(db).get_or_create(name=EDITORS_GROUP)
    group.permissions.add(*_permissions(apps, db))


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    group = Group.objects.using(db).filter(name=EDITORS_GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, db))


class Migration(migrations.Migration):
    dependencies = [
        ("corrections", "0001_initial"),
        ("articles", "0003_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
