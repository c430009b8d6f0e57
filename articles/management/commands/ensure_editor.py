"""Create the local editor account once, printing its random password a single time."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

# Created with its permissions by the data migration articles/0002_editors_group.
EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    help = (
        "Create a local editor account (staff, in the Editors group, not a superuser) with a "
        "random password if it does not exist yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        group = Group.objects.filter(name=EDITORS_GROUP).first()
        if group is None:
            raise CommandError(
                f"The “{EDITORS_GROUP}” group does not exist; run `manage.py migrate` first."
            )
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            user.groups.add(group)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"Editor account “{username}” already exists; password unchanged.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=username, password=password, is_staff=True, is_superuser=False
        )
        user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created editor account “{username}” with password: {password}\n"
                "It is shown only this once; log in at http://127.0.0.1:8000/admin/"
            )
        )
