from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from . import content_version, images, statistics, sync
        from .models import Article

        content_version.connect_signals()
        sync.connect_signals()  # updated_at of records that show another (issue 15)
        # A chore, not domain logic: a deleted article's image files go with it.
        post_delete.connect(
            lambda instance, **kwargs: images.delete_article_images(article=instance),
            sender=Article,
            weak=False,
            dispatch_uid="articles_delete_images",
        )
        # Once per `migrate`/`flush` (sent per app: this app's signal only).
        post_migrate.connect(
            statistics.after_migrate, sender=self, dispatch_uid="articles_refresh_statistics"
        )
