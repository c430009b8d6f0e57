"""Test-wide settings: plain HTTP for the test client and the live server."""


def pytest_configure(config):
    # Production settings redirect to HTTPS and mark cookies secure; tests speak plain
    # HTTP (test client and loopback live server), so switch those two behaviours off.
    from django.conf import settings

    if settings.configured:
        settings.SECURE_SSL_REDIRECT = False
        settings.SESSION_COOKIE_SECURE = False
        settings.CSRF_COOKIE_SECURE = False

    # Public website (issue 6): templates use {% static %}; with DEBUG off the manifest
    # storage would need `collectstatic`, so tests use plain storage and WhiteNoise serves
    # straight from the finders (the live server for browser tests included).
    if settings.configured:
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        settings.WHITENOISE_USE_FINDERS = True
        # WhiteNoise warns that STATIC_ROOT (filled by collectstatic) does not exist.
        config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")

    # Tests see every write on the next request; the few seconds anonymous readers may wait
    # for additions in production are tested on their own (tests/test_additions_grace.py).
    if settings.configured:
        settings.NEWSROOM_ADDITIONS_GRACE_SECONDS = 0

    # Rate-limit counters on disk (no REDIS_URL): a directory of this run's own, so parallel
    # runs never share counts.
    if settings.configured and "filebased" in settings.CACHES["throttle"]["BACKEND"]:
        import tempfile

        config._throttle_dir = tempfile.mkdtemp(prefix="newsroom-throttle-")
        settings.CACHES["throttle"]["LOCATION"] = config._throttle_dir


def pytest_unconfigure(config):
    directory = getattr(config, "_throttle_dir", None)
    if directory:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
