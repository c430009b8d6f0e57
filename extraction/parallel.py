"""Parsing stories in worker processes, beside one process that writes (issue 13).

The pipeline is pure CPU work with no shared state, so a batch of stories parses in
parallel: each worker builds the index of known people once, from a snapshot of what the
newsroom knows when the batch starts, and parses the stories it is given. The stories of
one batch do not learn from each other, as they do when one importer parses them in turn;
a person first named in one of them is matched by full name when it is saved instead.

    with StoryParser(world.snapshot(), workers=2) as parser:
        for source_name, result in zip(names, parser.parse(batch)):
            ...  # a ParsedArticle, or the IngestError that refused the story
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .knowledge import WorldIndex
from .pipeline import parse_article
from .reading import DEFAULT_MAX_BYTES
from .types import IngestError, ParsedArticle, WorldKnowledge

# Each worker's index, built once by the pool's initialiser.
_world: WorldIndex | None = None
_max_bytes = DEFAULT_MAX_BYTES


def _start_worker(world: WorldKnowledge, max_bytes: int) -> None:
    global _world, _max_bytes
    _world = WorldIndex(world)
    _max_bytes = max_bytes


def _parse(story: tuple[bytes, str]) -> ParsedArticle | IngestError:
    raw, source_name = story
    assert _world is not None, "the worker was started without its knowledge"
    try:
        return parse_article(raw, source_name=source_name, world=_world, max_bytes=_max_bytes)
    except IngestError as error:
        return error  # a refused story is an answer, not a failure of the batch


class StoryParser:
    """A pool of worker processes that parse stories knowing ``world``.

    ``parse`` yields one result per story, in order: the ``ParsedArticle``, or the
    ``IngestError`` that refused it (as ``parse_article`` would have raised).
    """

    def __init__(
        self,
        world: WorldKnowledge,
        *,
        workers: int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.workers = workers or max(1, (os.cpu_count() or 2) - 1)  # one core for the writer
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, initializer=_start_worker, initargs=(world, max_bytes)
        )

    def parse(
        self, stories: Iterable[tuple[bytes, str]], *, chunksize: int = 8
    ) -> Iterator[ParsedArticle | IngestError]:
        """Parse ``(raw bytes, source name)`` pairs; results come back in their order."""
        return self._pool.map(_parse, stories, chunksize=chunksize)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> StoryParser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
