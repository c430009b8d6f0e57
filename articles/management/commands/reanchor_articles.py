"""Repair articles whose body an admin save stored with CRLF line endings (issue 11).

Before line endings were normalised, saving an article in the admin stored the browser's
"\\r\\n" and moved no offset, so every quote, mention and event after the first line break
pointed at the wrong characters. This stores the body with "\\n" and re-anchors every span
(``articles.services.article_update_body``), one article per transaction.
"""

from django.core.management.base import BaseCommand

from articles import services
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Store article bodies with LF line endings and move quotes, mentions and events "
        "back onto their words. Only bodies holding a CR unless --all is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Re-anchor every article, not only CRLF ones."
        )

    def handle(self, *args, **options):
        articles = Article.objects.order_by("pk")
        if not options["all"]:
            articles = articles.filter(body__contains="\r")
        repaired = sent_back = 0
        for pk in articles.values_list("pk", flat=True):
            article = Article.objects.get(pk=pk)
            edit = services.article_update_body(
                article=article, body=article.body, reason="line endings normalised, re-anchored"
            )
            repaired += 1
            if edit.quotes_sent_back:
                sent_back += len(edit.quotes_sent_back)
                self.stdout.write(
                    f"{article.slug}: {len(edit.quotes_sent_back)} quotes not found in the "
                    "text, sent back to review"
                )
        self.stdout.write(
            f"{repaired} articles re-anchored; {sent_back} quotes sent back to review."
        )
