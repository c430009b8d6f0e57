"""The API's one table: a content version that every public write bumps (see caching.py)."""

from django.db import models


class ContentVersion(models.Model):
    """A single row whose token changes, in the writing transaction, on every content write.

    It is the validator behind the API's ETag and Last-Modified headers and the key of its
    response cache. Kept in the database (not the cache) so that every process — gunicorn
    workers, the import command, the admin — sees the same version.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "API content version"
        verbose_name_plural = "API content versions"

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
