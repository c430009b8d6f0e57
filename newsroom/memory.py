"""Python's cyclic garbage collector, made to run less often during bulk work (issue 13).

The collector's youngest generation is collected after every 700 new container objects,
and every tenth collection also walks the next generation, and so on. An import batch
builds hundreds of thousands of such objects (rows, model instances, extraction results)
that all live until the batch commits, so the collector kept walking the same live
objects: measured on 2,000 generated stories, a tenth of the importer's CPU time, for
nothing collected (the few cycles a batch leaves are collected when the work ends).

``fewer_collections()`` raises the thresholds for the work inside it and restores them when
the last such block in the process ends (blocks may nest or overlap in threads: a web
process importing two uploads at once).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# New container objects between collections of the youngest generation, and collections
# of each generation between two of the next (Python's defaults: 700, 10, 10).
BULK_THRESHOLDS = (100_000, 50, 100)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*(max(a, b) for a, b in zip(_saved, BULK_THRESHOLDS, strict=True)))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
