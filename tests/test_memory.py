"""The garbage collector runs less often during an import, and is restored after it."""

import gc
import threading

import pytest

from newsroom.memory import BULK_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_inside_and_restored_by_the_last_block_to_end():
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()

    def other_import():
        with fewer_collections():
            entered.set()
            release.wait(10)

    with fewer_collections():
        assert gc.get_threshold() == BULK_THRESHOLDS
        with fewer_collections():  # nested
            assert gc.get_threshold() == BULK_THRESHOLDS
        assert gc.get_threshold() == BULK_THRESHOLDS
        thread = threading.Thread(target=other_import)
        thread.start()
        assert entered.wait(10)
    # The other thread's block is still open: the thresholds stay raised until it ends.
    assert gc.get_threshold() == BULK_THRESHOLDS
    release.set()
    thread.join(10)
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_work_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a failed import")
    assert gc.get_threshold() == before
