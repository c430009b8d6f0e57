"""Test-wide settings: plain HTTP for the test client and the live server."""


def pytest_configure(config):
    # Production settings redirect to HTTPS and mark cookies secure; tests speak plain
    # HTTP (test client and loopback live server), so switch those two behaviours off.
    from django.conf import settings

    if settings.configured:
        settings.SECURE_SSL_REDIRECT = False
        settings.SESSION_COOKIE_SECURE = False
        settings.CSRF_COOKIE_SECURE = False
