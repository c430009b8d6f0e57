"""Rebuild the full-text search index from scratch (bulk, one transaction)."""

import time

from django.core.management.base import BaseCommand

from search.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of articles, quotes and people from scratch."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = rebuild()
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{count} {kind}s" for kind, count in counts.items())
        self.stdout.write(f"Indexed {summary} in {seconds:.1f}s.")
