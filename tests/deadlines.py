"""A test that would hang on old code fails instead, after a deadline (SIGALRM)."""

import contextlib
import signal


@contextlib.contextmanager
def deadline(seconds: float):
    """Raise TimeoutError in the block after ``seconds`` (main thread, POSIX only)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
