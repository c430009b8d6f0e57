"""Editors may add articles (issue 14): write a story in the admin ("Add article") and
upload story files ("Import stories"), both run through the importer's pipeline. Deleting
stays with superusers (unpublishing hides an article). Permissions are created here
explicitly, as in 0003_editors_group, so the group is complete on a fresh database."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
CODENAMES = ["add_article"]


def _permissions(apps, db):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True  # the migration state's stub has none
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return list(
        Permission.objects.using(db).filter(
            content_type__app_label="articles", codename__in=CODENAMES
        )
    )


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
        ("articles", "0016_editors_view_import_runs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
