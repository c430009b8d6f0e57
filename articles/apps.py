from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from . import content_version, statistics, sync

        content_version.connect_signals()
        sync.connect_signals()  # updated_at of records that show another (issue 15)
        # Once per `migrate`/`flush` (sent per app: this app's signal only).
        post_migrate.connect(
            statistics.after_migrate, sender=self, dispatch_uid="articles_refresh_statistics"
        )
