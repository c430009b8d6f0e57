"""Settings of the API benchmark: the product settings plus a bench-only URLconf that adds
the hand-written comparison view (never part of the product URLs)."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
