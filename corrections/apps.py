from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    """Public corrections of articles and withdrawals of quotes (issue 14, point 5)."""

    name = "corrections"
    verbose_name = "Corrections"
