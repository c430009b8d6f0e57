from django.apps import AppConfig


class WebConfig(AppConfig):
    """The public website: pages that combine articles, people, quotes and events."""

    name = "web"
    verbose_name = "Public website"
