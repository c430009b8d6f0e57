"""Create the local editor account once, printing its random password a single time."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    help = "Create a local editor account with a random password if no editor exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Editor account “{username}” already exists; password unchanged.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=username, password=password, is_staff=True, is_superuser=True
        )
        group = Group.objects.filter(name=EDITORS_GROUP).first()
        if group is not None:
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created editor account “{username}” with password: {password}\n"
                "It is shown only this once; log in at http://127.0.0.1:8000/admin/"
            )
        )
