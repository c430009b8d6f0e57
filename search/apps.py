from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the index-refresh receivers)
        from .index import after_migrate

        # Builds a missing index after `migrate`; resyncs SQLite's FTS5 table after `flush`.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="search_after_migrate")
