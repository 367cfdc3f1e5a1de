"""Per-text work that is pure Python (jieba, the polarity lexicon) split over worker processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
PARALLEL_THRESHOLD = 5000


class Workers(Generic[Item, Result]):
    """`function` over parts of a batch handed over as they are ready, in `processes` worker processes while
    the caller goes on (0: here, at once). `result()` waits for every part's results, gives them in the order
    the parts were handed over, and ends the processes. `function` and `initializer` must be picklable
    (module level); `initializer(initarg)` runs once in each process, never here: the caller handles that case."""

    def __init__(
        self,
        function: Callable[[list[Item]], list[Result]],
        processes: int,
        initializer: Callable[[Any], object] | None = None,
        initarg: Any = None,
    ):
        self._function = function
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            self._pool = (
                ProcessPoolExecutor(max_workers=processes)
                if initializer is None
                else ProcessPoolExecutor(max_workers=processes, initializer=initializer, initargs=(initarg,))
            )
        self._parts: list[Future[list[Result]] | list[Result]] = []

    def submit(self, items: Sequence[Item]) -> None:
        if self._pool is None:
            self._parts.append(self._function(list(items)))
        elif items:
            self._parts.append(self._pool.submit(self._function, list(items)))

    def submit_in_parts(self, items: Sequence[Item]) -> None:
        """The whole batch handed over, in one part per process (one part when it runs here)."""
        chunk = -(-len(items) // max(self._processes, 1)) or 1
        for i in range(0, len(items), chunk):
            self.submit(items[i : i + chunk])

    def result(self) -> list[Result]:
        try:
            return [result for part in self._parts for result in (part if isinstance(part, list) else part.result())]
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None

    def __enter__(self) -> Workers[Item, Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:  # left early (an exception): the processes end without their results
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def lower_priority(increment: int) -> None:
    """An initializer for workers whose results are wanted later than the caller's own (`os.nice`): the caller's
    threads get the cores first, the workers what is left (a theme run's lexicon while it chooses k)."""
    os.nice(increment)


def processes_for(count: int, workers: int | None = None) -> int:
    """How many worker processes a batch of `count` items gets: one per worker (`workers` None: one per
    core) from PARALLEL_THRESHOLD items on, else 0 (it runs here)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    return workers if workers > 1 and count >= PARALLEL_THRESHOLD else 0


def start_in_workers(
    function: Callable[[list[Item]], list[Result]],
    items: Sequence[Item],
    workers: int | None = None,
    initializer: Callable[[Any], object] | None = None,
    initarg: Any = None,
) -> Workers[Item, Result]:
    """`function(items)` started in worker processes while the caller goes on (`processes_for` decides how
    many), a batch split in one part per process; `result()` gives the results in the items' order."""
    started: Workers[Item, Result] = Workers(function, processes_for(len(items), workers), initializer, initarg)
    started.submit_in_parts(items)
    return started
