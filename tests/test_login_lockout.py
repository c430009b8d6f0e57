"""Brute-force protection of the admin log-in (issue 12, defect 8): django-axes locks an
account, and separately an address, after repeated failures, for a cool-off period."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from tests.factories import make_editor

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery"


def log_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_right_password_after_fifty_wrong_ones_does_not_log_in(client):
    """50 wrong passwords, then the right one: still refused, with the lock-out page
    (429, Retry-After) rather than the log-in form."""
    make_editor(password=PASSWORD)
    for _ in range(50):
        log_in(client, "editor", "wrong password")
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Log-in temporarily locked" in response.text
    assert not logged_in(client)


def test_the_account_is_locked_from_any_address(client, settings):
    """Failures spread over many addresses still lock the account itself."""
    make_editor(password=PASSWORD)
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "editor", "wrong", REMOTE_ADDR=f"198.51.100.{n + 1}")
    response = log_in(client, "editor", PASSWORD, REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_address_is_locked_for_every_account(client, settings):
    """After failures from one address, another account cannot log in from it either, even
    with a forged X-Forwarded-For; the same account from elsewhere still can."""
    make_editor(password=PASSWORD)
    make_editor(username="other", password=PASSWORD)
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess{n}", "wrong")
    assert log_in(client, "other", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert not logged_in(client)
    response = log_in(client, "other", PASSWORD, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    assert logged_in(client)


def test_the_lock_lifts_after_the_cool_off(client, settings):
    """Once the cool-off has passed since the last failure, the right password works."""
    make_editor(password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        log_in(client, "editor", "wrong")
    assert log_in(client, "editor", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    assert log_in(client, "editor", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_few_typos_do_not_lock_anyone_out(client, settings):
    """Fewer failures than the limit, then the right password: logged in, count reset."""
    make_editor(password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "editor", "typo").status_code == 200
    assert log_in(client, "editor", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="editor").exists()
