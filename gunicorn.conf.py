"""Gunicorn settings for production: ``gunicorn newsroom.wsgi`` run from this directory
reads them (command-line flags and ``GUNICORN_CMD_ARGS`` still win).

Threaded workers (issue 12, load): a request waiting on the database — SQLite's single
write lock while an import commits, a row lock on PostgreSQL, a slow statement — holds
one thread, not a whole process. With the default synchronous workers two editors
waiting for the importer's write lock left no process free for readers, and every
reader queued behind them for seconds. Python releases the GIL while it waits on the
database or the network, so the other threads keep serving.
"""

import os

# Processes: WEB_CONCURRENCY (the Heroku / cookiecutter-django convention), else two per CPU.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Above NEWSROOM_DB_STATEMENT_TIMEOUT (10 s): a slow statement is cancelled by the
# database and answered with a 503 before gunicorn would kill the worker.
timeout = 30
# Restart workers now and then: bounded memory growth over weeks of uptime.
max_requests = 5000
max_requests_jitter = 500
