"""Project-level health: system checks, migrations, and production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides, unset=()):
    # Browser tests relax Django's async-safety guard in this process; a fresh process
    # must see the environment production would have.
    unset = (*unset, "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_system_check_passes():
    """`manage.py check` finds no problem."""
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_no_missing_migrations():
    """Every model change has its migration (`makemigrations --check` has nothing to do)."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_deploy_check_passes_with_production_environment():
    """With DEBUG off, a long secret key and allowed hosts, `check --deploy` reports nothing."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SECRET_KEY": "x7" * 40 + "-production-like-secret-" + "q9" * 10,
            "DJANGO_ALLOWED_HOSTS": "news.example.org",
        },
        unset=("DJANGO_DEBUG",),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_missing_secret_key_is_a_clear_startup_error():
    """Without DEBUG, a missing DJANGO_SECRET_KEY stops start-up with a clear message."""
    result = run_manage("check", env_overrides={}, unset=("DJANGO_DEBUG", "DJANGO_SECRET_KEY"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_mode_has_a_development_key():
    result = run_manage("check", env_overrides={"DJANGO_DEBUG": "1"}, unset=("DJANGO_SECRET_KEY",))
    assert result.returncode == 0, result.stderr


def test_sqlite_is_tuned_for_concurrent_access(settings):
    """The embedded SQLite database uses WAL, IMMEDIATE transactions and a busy timeout."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite tuning applies to the embedded database only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.django_db
def test_database_engine_follows_database_url():
    """DATABASE_URL selects the engine (CI runs the suite once on each)."""
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected


def test_people_app_does_not_depend_on_articles():
    """`people` must stay usable without `articles` (articles depend on people, not back)."""
    for path in (ROOT / "people").rglob("*.py"):
        text = path.read_text()
        assert "from articles" not in text and "import articles" not in text, path


def test_extraction_package_imports_no_django():
    """The extraction pipeline is pure Python: importing and running it loads no Django."""
    code = (
        "import sys, extraction\n"
        "extraction.parse_article(b'Headline\\n\\nRose said: \"Hi.\"', source_name='x.txt')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'articles', 'people', 'newsroom', 'rest_framework'))\n"
        "assert not bad, bad\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for path in (ROOT / "extraction").rglob("*.py"):
        text = path.read_text()
        for banned in ("django", "from articles", "from people", "from newsroom"):
            assert banned not in text, (path, banned)


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high", "nan", "inf", "0,7"])
def test_publish_threshold_rejects_bad_values(monkeypatch, value):
    """NEWSROOM_PUBLISH_MIN_CONFIDENCE must be a number from 0 to 1, else a clear error."""
    from django.core.exceptions import ImproperlyConfigured

    from newsroom.settings import env_fraction

    monkeypatch.setenv("NEWSROOM_PUBLISH_MIN_CONFIDENCE", value)
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_PUBLISH_MIN_CONFIDENCE must be"):
        env_fraction("NEWSROOM_PUBLISH_MIN_CONFIDENCE", 0.5)


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0.0), ("1", 1.0), (" 0.75 ", 0.75), ("", 0.5)]
)
def test_publish_threshold_accepts_fractions(monkeypatch, value, expected):
    """Numbers from 0 to 1 are taken as given; an empty value means the default."""
    from newsroom.settings import env_fraction

    monkeypatch.setenv("NEWSROOM_PUBLISH_MIN_CONFIDENCE", value)
    assert env_fraction("NEWSROOM_PUBLISH_MIN_CONFIDENCE", 0.5) == expected


def test_publish_threshold_defaults_to_the_extraction_policy():
    """Unset, the threshold is extraction.DEFAULT_PUBLISH_MIN_CONFIDENCE (tuned by `make
    eval`), not a number written anywhere else."""
    import extraction
    from newsroom import settings as project_settings

    if os.environ.get("NEWSROOM_PUBLISH_MIN_CONFIDENCE", "").strip():
        pytest.skip("NEWSROOM_PUBLISH_MIN_CONFIDENCE is set in this environment")
    assert project_settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE == (
        extraction.DEFAULT_PUBLISH_MIN_CONFIDENCE
    )


def test_bad_publish_threshold_is_a_clear_startup_error():
    """A bad NEWSROOM_PUBLISH_MIN_CONFIDENCE stops start-up with one clear line."""
    result = run_manage("check", env_overrides={"NEWSROOM_PUBLISH_MIN_CONFIDENCE": "1.5"})
    assert result.returncode != 0
    assert "NEWSROOM_PUBLISH_MIN_CONFIDENCE must be a number from 0 to 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_runs_threaded_workers_from_the_repository_config():
    """Production gunicorn reads gunicorn.conf.py: threaded workers, so a request waiting on
    a database lock holds one thread and readers keep being served (issue 12, load), and a
    worker timeout above the database statement timeout, so the database cancels a slow
    statement (a 503) before gunicorn kills the worker."""
    from gunicorn.config import Config

    config = Config()
    root = Path(__file__).resolve().parent.parent
    namespace: dict = {}
    exec(compile((root / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    assert config.worker_class_str == "gthread"
    assert config.threads >= 2
    assert config.workers >= 1
    assert config.timeout > int(os.environ.get("NEWSROOM_DB_STATEMENT_TIMEOUT", "10"))


def test_additions_wait_at_most_half_the_public_max_age_by_default():
    """Anonymous readers may get an addition (a new story) up to the grace late: by default
    30 s, within the `max-age=60` public responses already allow proxies (issue 12/13)."""
    import importlib
    import os

    from web.caching import MAX_AGE

    saved = os.environ.pop("NEWSROOM_ADDITIONS_GRACE_SECONDS", None)
    try:
        import newsroom.settings as project_settings

        fresh = importlib.reload(project_settings)
        assert fresh.NEWSROOM_ADDITIONS_GRACE_SECONDS == 30 <= MAX_AGE / 2
    finally:
        if saved is not None:
            os.environ["NEWSROOM_ADDITIONS_GRACE_SECONDS"] = saved
        importlib.reload(project_settings)


def test_a_hanging_test_fails_alone_and_the_run_goes_on(tmp_path):
    """The suite's per-test time limit (pyproject's ``timeout``) fails a test stuck in a
    wait, with its stack, and the tests after it still run: one hang cannot stall CI."""
    (tmp_path / "test_hang.py").write_text(
        "import threading\n"
        "def test_hangs():\n"
        "    threading.Event().wait()\n"
        "def test_after():\n"
        "    pass\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:django",
            f"--rootdir={ROOT}",
            "-c",
            str(ROOT / "pyproject.toml"),
            "-o",
            "timeout=2",
            str(tmp_path / "test_hang.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Timeout" in result.stdout, result.stdout[-2000:]
    assert "1 failed, 1 passed" in result.stdout, result.stdout[-2000:]
