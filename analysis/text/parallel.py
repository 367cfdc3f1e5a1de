"""Per-text work that is pure Python (jieba, the polarity lexicon) split over worker processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
PARALLEL_THRESHOLD = 5000


def map_in_workers(
    function: Callable[[list[Item]], list[Result]],
    items: Sequence[Item],
    workers: int | None = None,
    initializer: Callable[[Any], object] | None = None,
    initarg: Any = None,
) -> list[Result]:
    """`function(items)`, with a batch of at least PARALLEL_THRESHOLD items split in one part per worker
    process (`workers` None: one per core). `function` and `initializer` must be picklable (module level);
    `initializer(initarg)` runs once in each process. Below the threshold, or with one worker, `function`
    runs here and the initializer does not: the caller handles that case."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        return function(list(items))
    chunk = -(-len(items) // workers)
    parts = [list(items[i : i + chunk]) for i in range(0, len(items), chunk)]
    pool = (
        ProcessPoolExecutor(max_workers=workers)
        if initializer is None
        else ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=(initarg,))
    )
    with pool:
        return [result for part in pool.map(function, parts) for result in part]
