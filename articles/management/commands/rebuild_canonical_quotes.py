"""Group every quote of the archive into canonical quotes again (issue 15): after an upgrade
that added the groups, or to undo the importer's choices. Groups an editor split or merged
are kept. Linear in quotes (see ``articles.canonical``)."""

from django.core.management.base import BaseCommand

from articles import canonical
from articles.content_version import bump_content_version


class Command(BaseCommand):
    help = "Rebuild the canonical quote groups of the whole archive (editors' groups kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk",
            type=int,
            default=canonical.REBUILD_CHUNK,
            help="Quotes grouped per transaction (default %(default)s).",
        )

    def handle(self, *args, chunk, **options):
        if chunk < 1:
            self.stderr.write("--chunk must be at least 1")
            return
        result = canonical.rebuild(
            chunk=chunk, stdout=self.stdout if options["verbosity"] > 1 else None
        )
        bump_content_version()
        self.stdout.write(
            f"{result['quotes']} quotes in {result['groups']} canonical quotes "
            f"({result['emptied']} empty groups removed)."
        )
