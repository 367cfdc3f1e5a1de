"""The release ledger: what may be released, checked against everything released before.

Every aggregate the product releases covers a set of respondents, described over *cells*: an atom of the
stored segment (department × role × wave, as stored) in one release step (and, for theme runs over several
campaigns, per campaign). A cell holds a known number of respondents. The ledger keeps every set already
released for a campaign and answers, for a candidate set, whether releasing it too would let someone with
all the releases work out a group of 1..k−1 respondents. Two channels, because two kinds of release give
an attacker different tools:

* **figures** (scores, counts, shares): each release is a linear equation over the cells (a count, a sum).
  A group of respondents is exposed when the indicator of its cells lies in the span of the released sets
  — differences, parent minus children at any level and across parents, sums of hidden cells, different
  steps, any linear combination. The search is exact for groups of up to four cells, which covers every
  group below k ≤ 5 (each cell holds at least one respondent); for larger k it searches until a work bound
  and refuses the release when the bound is reached (never the other way round).
* **records** (comment lists, raw-answer rows, anything with text): texts can be matched between lists, so
  an attacker gets every Boolean combination of the released sets (intersections too), not only linear
  ones. A release is refused when any class of cells that no released set tells apart — an atom of the
  Boolean algebra the sets generate — would hold 1..k_text−1 respondents. Records also reveal their counts
  and sums, so each record release is a figures release as well.

Cells that hold no respondent are left out of both: an attacker may know a cell is empty (from response
rates), and leaving them out is the cautious assumption. Linear algebra is exact, in GF(p) with p = 2³¹−1:
a set the rational span determines is also determined mod p unless p divides a minor of the release matrix,
which for 0/1 matrices of this shape would need minors in the billions.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, combinations
from typing import Generic, TypeVar

import numpy as np

PRIME = 2**31 - 1
BELOW_K = "below_k"
DIFFERENCING = "differencing"
SEARCH_BOUND = "search_bound"
DEFAULT_SEARCH_BOUND = 2_000_000
MASK = 2**31 - 1

Cell = TypeVar("Cell", bound=Hashable)  # a cell, named by the caller: `analysis.release` uses (atom, step)
Key = TypeVar("Key", bound=Hashable)  # what a caller names its candidates by


@dataclass(frozen=True)
class Verdict(Generic[Cell]):
    """The ledger's answer for one candidate: allowed, or refused with a reason and the group it would expose."""

    allowed: bool
    n: int
    reason: str | None = None
    exposed: frozenset[Cell] | None = None

    def __bool__(self) -> bool:
        return self.allowed


class _NestedIndex(Generic[Cell]):
    """Released sets by respondent count, for the cheap test: a released set inside or around a candidate
    that differs from it by 1..k−1 respondents exposes that difference."""

    def __init__(self, counts: Mapping[Cell, int], k: int, released: Iterable[frozenset[Cell]] = ()):
        self.counts, self.k = counts, k
        self.by_count: dict[int, list[frozenset[Cell]]] = {}
        for cells in released:
            self.add(cells)

    def count(self, cells: frozenset[Cell]) -> int:
        return sum(self.counts.get(cell, 0) for cell in cells)

    def add(self, cells: frozenset[Cell]) -> None:
        self.by_count.setdefault(self.count(cells), []).append(cells)

    def difference(self, cells: frozenset[Cell]) -> frozenset[Cell] | None:
        n = self.count(cells)
        for m in range(max(1, n - self.k + 1), n + self.k):
            if m == n:
                continue
            for other in self.by_count.get(m, ()):
                if other <= cells or cells <= other:
                    return frozenset(c for c in cells ^ other if self.counts.get(c, 0))
        return None


class _Classes(Generic[Cell]):
    """The partition of cells that no recorded set tells apart (the atoms of the Boolean algebra of the sets)."""

    def __init__(self, counts: Mapping[Cell, int]):
        self.counts = {cell: int(n) for cell, n in counts.items() if n > 0}
        self.class_of: dict[Cell, int] = {}
        self.members: list[set[Cell]] = []
        self.sizes: list[int] = []

    def indices(self, cells: Iterable[Cell]) -> set[int]:
        return {self.class_of[cell] for cell in cells if cell in self.class_of}

    def split(self, cells: frozenset[Cell]) -> list[tuple[int, int]]:
        """Refine by `cells`; returns (old class, new class) for every class that split.

        Cells not yet in any class form one new class of their own (inside `cells`)."""
        inside = [cell for cell in cells if cell in self.counts]
        fresh = [cell for cell in inside if cell not in self.class_of]
        splits = []
        touched: dict[int, list[Cell]] = {}
        for cell in inside:
            index = self.class_of.get(cell)
            if index is not None:
                touched.setdefault(index, []).append(cell)
        for index, part in touched.items():
            if len(part) == len(self.members[index]):
                continue
            new_index = len(self.members)
            part_set = set(part)
            self.members[index] -= part_set
            self.members.append(part_set)
            moved = sum(self.counts[cell] for cell in part)
            self.sizes[index] -= moved
            self.sizes.append(moved)
            for cell in part:
                self.class_of[cell] = new_index
            splits.append((index, new_index))
        if fresh:
            new_index = len(self.members)
            self.members.append(set(fresh))
            self.sizes.append(sum(self.counts[cell] for cell in fresh))
            for cell in fresh:
                self.class_of[cell] = new_index
            splits.append((-1, new_index))
        return splits

    def preview_sizes(self, cells: frozenset[Cell]) -> list[int]:
        """The sizes of the classes that refining by `cells` would create or leave changed."""
        inside = [cell for cell in cells if cell in self.counts]
        touched: dict[int, int] = {}
        fresh = 0
        for cell in inside:
            index = self.class_of.get(cell)
            if index is None:
                fresh += self.counts[cell]
            else:
                touched[index] = touched.get(index, 0) + self.counts[cell]
        sizes = [fresh] if fresh else []
        for index, part in touched.items():
            sizes.append(part)
            sizes.append(self.sizes[index] - part)
        return [size for size in sizes if size > 0]

    def copy(self) -> _Classes[Cell]:
        other = _Classes.__new__(_Classes)
        other.counts = self.counts
        other.class_of = dict(self.class_of)
        other.members = [set(members) for members in self.members]
        other.sizes = list(self.sizes)
        return other


class RecordsLedger(Generic[Cell]):
    """Released record sets (comment lists, raw rows): every Boolean class must hold 0 or ≥ k respondents."""

    def __init__(self, counts: Mapping[Cell, int], k: int):
        self.k = k
        self.classes = _Classes(counts)
        self.released: list[frozenset[Cell]] = []

    def check(self, cells: Iterable[Cell]) -> Verdict[Cell]:
        return self.check_against(self.classes, frozenset(cells), self.k)

    @staticmethod
    def check_against(classes: _Classes[Cell], cells: frozenset[Cell], k: int) -> Verdict[Cell]:
        n = sum(classes.counts.get(cell, 0) for cell in cells)
        if 0 < n < k:
            return Verdict(False, n, BELOW_K, frozenset(c for c in cells if c in classes.counts))
        if any(0 < size < k for size in classes.preview_sizes(cells)):
            trial = classes.copy()
            trial.split(cells)
            exposed = next(frozenset(trial.members[i]) for i, size in enumerate(trial.sizes) if 0 < size < k)
            return Verdict(False, n, DIFFERENCING, exposed)
        return Verdict(True, n)

    def record(self, cells: Iterable[Cell]) -> None:
        cells = frozenset(cells)
        self.classes.split(cells)
        self.released.append(cells)


class FiguresLedger(Generic[Cell]):
    """Released figure sets: no linear combination of them may equal the indicator of 1..k−1 respondents.

    The released sets are kept as a fully reduced row echelon form over GF(PRIME) with one column per class
    of cells (cells that no released set tells apart always share their coefficient)."""

    def __init__(self, counts: Mapping[Cell, int], k: int, search_bound: int = DEFAULT_SEARCH_BOUND, seed: int = 0):
        self.k = k
        self.search_bound = search_bound
        self.classes = _Classes(counts)
        self.basis = np.zeros((0, 0), dtype=np.int64)
        self.pivots: list[int] = []
        self.released: list[frozenset[Cell]] = []
        self._rng = np.random.default_rng(seed)

    # -- public -------------------------------------------------------------------------------------------

    def check(self, cells: Iterable[Cell]) -> Verdict[Cell]:
        """What `offer` would answer, without recording anything."""
        trial = self._copy()
        trial.released = list(self.released)
        return trial.offer(cells)

    def record(self, cells: Iterable[Cell]) -> None:
        """Record a release without checking it (releases made before, replayed from storage)."""
        cells = frozenset(cells)
        self._add(cells)
        self.released.append(cells)

    def offer(self, cells: Iterable[Cell]) -> Verdict[Cell]:
        return self.offer_many([cells])[0]

    def offer_many(self, candidates: Sequence[Iterable[Cell]]) -> list[Verdict[Cell]]:
        """Offer candidates in order, recording each one that may be released given everything before it.

        Cheap refusals first (too small; a released set nested in or around it by 1..k−1 respondents), then
        the full search over the remaining ones together: the longest prefix whose joint release is safe is
        accepted, the next one refused, and so on (group testing; a subspace of a safe span is safe)."""
        sets = [frozenset(cells) for cells in candidates]
        verdicts: list[Verdict[Cell] | None] = [None] * len(sets)
        tentative: list[int] = []
        nested = _NestedIndex(self.classes.counts, self.k, self.released)
        for index, cells in enumerate(sets):
            n = nested.count(cells)
            if 0 < n < self.k:
                verdicts[index] = Verdict(False, n, BELOW_K, frozenset(c for c in cells if c in self.classes.counts))
            elif n == 0:
                verdicts[index] = Verdict(True, 0)
            elif (exposed := nested.difference(cells)) is not None:
                verdicts[index] = Verdict(False, n, DIFFERENCING, exposed)
            else:
                tentative.append(index)
                nested.add(cells)
        while tentative:
            accepted, refused, verdict = self._longest_safe_prefix([sets[i] for i in tentative])
            for index in tentative[:accepted]:
                verdicts[index] = Verdict(True, nested.count(sets[index]))
                self.released.append(sets[index])
            if refused is None:
                break
            verdicts[tentative[accepted]] = verdict
            tentative = tentative[accepted + 1 :]
        return [verdict for verdict in verdicts if verdict is not None]

    def _longest_safe_prefix(self, sets: list[frozenset[Cell]]) -> tuple[int, int | None, Verdict[Cell] | None]:
        """Adopt the longest prefix of `sets` that is safe to release together; returns its length, the index
        of the first unsafe set (None when all are safe) and that set's verdict."""
        trial, failing = self._trial_many(sets)
        if failing is None:
            self._adopt(trial)
            return len(sets), None, None
        low, high, best = 0, len(sets), self._copy()  # the prefix of length low is safe, of length high is not
        while high - low > 1:
            middle = (low + high) // 2
            trial, verdict = self._trial_many(sets[:middle])
            if verdict is None:
                low, best = middle, trial
            else:
                high, failing = middle, verdict
        self._adopt(best)
        return low, low, failing

    def _adopt(self, trial: FiguresLedger[Cell]) -> None:
        self.classes, self.basis, self.pivots = trial.classes, trial.basis, trial.pivots

    def _trial_many(self, sets: list[frozenset[Cell]]) -> tuple[FiguresLedger[Cell], Verdict[Cell] | None]:
        """A copy with `sets` added, and None when that is safe, else the verdict for the last one."""
        trial = self._copy()
        grew = False
        for cells in sets:
            grew = trial._add(cells) or grew
        if not grew:
            return trial, None
        exposed, exhausted = trial._small_determined_set()
        n = sum(self.classes.counts.get(cell, 0) for cell in sets[-1]) if sets else 0
        if exposed is not None:
            return trial, Verdict(False, n, DIFFERENCING, exposed)
        if exhausted:
            return trial, Verdict(False, n, SEARCH_BOUND)
        return trial, None

    def determines(self, cells: Iterable[Cell]) -> bool:
        """Whether the released sets already determine the total over `cells` (empty cells count as known)."""
        cells = set(cells)
        columns = self.classes.indices(cells)
        if any(not self.classes.members[index] <= cells for index in columns):
            return False
        return self._in_span(sorted(columns)) if columns else True

    # -- linear algebra -----------------------------------------------------------------------------------

    def _copy(self) -> FiguresLedger[Cell]:
        other = FiguresLedger.__new__(FiguresLedger)
        other.k, other.search_bound, other._rng = self.k, self.search_bound, self._rng
        other.classes = self.classes.copy()
        other.basis = self.basis.copy()
        other.pivots = list(self.pivots)
        other.released = self.released
        return other

    def _add(self, cells: frozenset[Cell]) -> bool:
        """Add `cells` to the span; False when it was in the span already."""
        splits = self.classes.split(cells)
        if splits:
            added = [
                self.basis[:, old] if old >= 0 else np.zeros(self.basis.shape[0], dtype=np.int64) for old, _ in splits
            ]
            self.basis = np.column_stack([self.basis, *added]) if self.basis.shape[1] else np.column_stack(added)
            if self.basis.ndim == 1:
                self.basis = self.basis.reshape(0, len(splits))
        vector = np.zeros(len(self.classes.members), dtype=np.int64)
        vector[sorted(self.classes.indices(cells))] = 1
        reduced = self._reduce(vector)
        nonzero = np.flatnonzero(reduced)
        if not len(nonzero):
            return False
        pivot = int(nonzero[0])
        reduced = reduced * pow(int(reduced[pivot]), PRIME - 2, PRIME) % PRIME
        if self.pivots:
            factors = self.basis[:, pivot].copy()
            self.basis = (self.basis - (factors[:, None] * reduced[None, :]) % PRIME) % PRIME
        self.basis = np.vstack([self.basis, reduced[None, :]])
        self.pivots.append(pivot)
        return True

    def _reduce(self, vector: np.ndarray) -> np.ndarray:
        """`vector` minus its combination of basis rows (fully reduced: the coefficients are its pivot entries)."""
        vector = vector % PRIME
        if not self.pivots:
            return vector
        coefficients = vector[np.asarray(self.pivots)]
        if not coefficients.any():
            return vector
        reduced: np.ndarray = (vector - _mod_matmul(coefficients[None, :], self.basis)[0]) % PRIME
        return reduced

    def _in_span(self, columns: Sequence[int] | np.ndarray) -> bool:
        vector = np.zeros(len(self.classes.members), dtype=np.int64)
        vector[np.asarray(columns, dtype=np.int64)] = 1
        return not self._reduce(vector).any()

    # -- the search for a determined small group ----------------------------------------------------------

    def _small_determined_set(self) -> tuple[frozenset[Cell] | None, bool]:
        """A union of classes holding 1..k−1 respondents whose indicator is in the span, if there is one;
        and whether a work bound stopped the search before it was complete."""
        sizes = np.asarray(self.classes.sizes)
        small = np.flatnonzero((sizes > 0) & (sizes < self.k))
        if not len(small):
            return None, False
        return self._key_search(small, sizes)

    def _key_search(self, small: np.ndarray, sizes: np.ndarray) -> tuple[frozenset[Cell] | None, bool]:
        """Meet-in-the-middle over null-space keys: 1_T is in the span exactly when it is orthogonal to the
        null space, so a determined T has keys (coordinates in two random null-space vectors) summing to
        zero. Complete for up to four classes; every hit is checked exactly."""
        limit = self.k - 1
        weights = sizes[small]
        keys = self._null_keys()[small]
        if len(small) * (len(small) - 1) // 2 > self.search_bound:
            for members in _zero_sets(keys, weights, 1, limit):
                if self._in_span(small[list(members)]):
                    return self._members(small[list(members)]), False
            return None, True
        for members in _zero_sets(keys, weights, min(limit, 4), limit):
            columns = small[list(members)]
            if self._in_span(columns):
                return self._members(columns), False
        if limit > 4 and int(np.sort(weights)[:5].sum()) <= limit:
            return self._deep_search(small, keys, weights, limit)
        return None, False

    def _members(self, columns: np.ndarray) -> frozenset[Cell]:
        return frozenset(chain.from_iterable(self.classes.members[int(c)] for c in columns))

    def _null_keys(self) -> np.ndarray:
        """Per class, its coordinates in two random vectors of the null space, packed as key = a + b·2³¹."""
        width = len(self.classes.members)
        pivots = np.asarray(self.pivots, dtype=np.int64)
        free = np.setdiff1d(np.arange(width), pivots)
        weights = self._rng.integers(1, PRIME, size=(len(free), 2), dtype=np.int64)
        vectors = np.zeros((width, 2), dtype=np.int64)
        vectors[free] = weights
        if len(pivots) and len(free):
            vectors[pivots] = (-_mod_matmul(self.basis[:, free], weights)) % PRIME
        return vectors[:, 0] | (vectors[:, 1] << 31)

    def _deep_search(
        self, small: np.ndarray, keys: np.ndarray, weights: np.ndarray, limit: int
    ) -> tuple[frozenset[Cell] | None, bool]:
        """Sets of five or more small classes (only when k > 5): exhaustive up to the work bound."""
        budget = self.search_bound
        order = np.argsort(weights, kind="stable").tolist()
        for size in range(5, limit + 1):
            if int(np.sort(weights)[:size].sum()) > limit:
                break
            for members in combinations(order, size):
                budget -= 1
                if budget < 0:
                    return None, True
                chosen = list(members)
                if int(weights[chosen].sum()) <= limit and _sums_to_zero(keys[chosen]):
                    columns = small[chosen]
                    if self._in_span(columns):
                        return self._members(columns), False
        return None, False


def _mod_matmul(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """(left @ right) mod PRIME for entries below 2³¹, exact in int64: the left side is split into 16-bit halves
    so that no partial sum can overflow (at most 2¹⁶ terms of < 2⁴⁷ each)."""
    low, high = left & 0xFFFF, left >> 16
    result = np.zeros((left.shape[0], right.shape[1]), dtype=np.int64)
    for start in range(0, left.shape[1], 1 << 16):
        part = slice(start, start + (1 << 16))
        result = (result + (low[:, part] @ right[part]) % PRIME + ((high[:, part] @ right[part]) % PRIME << 16)) % PRIME
    return result


def _add_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component-wise sum mod PRIME of packed keys."""
    low = ((a & MASK) + (b & MASK)) % PRIME
    high = ((a >> 31) + (b >> 31)) % PRIME
    packed: np.ndarray = low | (high << 31)
    return packed


def _negate_keys(a: np.ndarray) -> np.ndarray:
    return ((-(a & MASK)) % PRIME) | (((-(a >> 31)) % PRIME) << 31)


def _sums_to_zero(keys: np.ndarray) -> bool:
    return int((keys & MASK).sum() % PRIME) == 0 and int((keys >> 31).sum() % PRIME) == 0


def _zero_sets(keys: np.ndarray, weights: np.ndarray, size_limit: int, weight_limit: int) -> Iterator[tuple[int, ...]]:
    """Index sets of 1..size_limit (≤ 4) small classes, total weight ≤ weight_limit, whose keys sum to zero.

    Sorted key arrays and binary search: singles, pairs, pair + single, pair + pair. Candidates only: a
    caller checks each exactly."""
    count = len(keys)
    for single in np.flatnonzero(keys == 0):
        yield (int(single),)
    if size_limit < 2 or count < 2:
        return
    first, second = np.triu_indices(count, k=1)
    pair_weight = weights[first] + weights[second]
    keep = pair_weight <= weight_limit
    first, second, pair_weight = first[keep], second[keep], pair_weight[keep]
    pair_keys = _add_keys(keys[first], keys[second])
    for position in np.flatnonzero(pair_keys == 0):
        yield (int(first[position]), int(second[position]))
    if size_limit < 3 or not len(pair_keys):
        return
    order = np.argsort(pair_keys, kind="stable")
    sorted_keys = pair_keys[order]
    wanted = _negate_keys(keys)
    lo = np.searchsorted(sorted_keys, wanted, side="left")
    hi = np.searchsorted(sorted_keys, wanted, side="right")
    for index in np.flatnonzero(hi > lo):
        for position in order[lo[index] : hi[index]]:
            i, j = int(first[position]), int(second[position])
            if index > j and pair_weight[position] + weights[index] <= weight_limit:
                yield (i, j, int(index))
    if size_limit < 4:
        return
    wanted_pairs = _negate_keys(pair_keys)
    lo = np.searchsorted(sorted_keys, wanted_pairs, side="left")
    hi = np.searchsorted(sorted_keys, wanted_pairs, side="right")
    for position in np.flatnonzero(hi > lo):
        i, j = int(first[position]), int(second[position])
        for other in order[lo[position] : hi[position]]:
            m, n = int(first[other]), int(second[other])
            if j < m and pair_weight[position] + pair_weight[other] <= weight_limit:
                yield (i, j, m, n)


class ReleaseLedger(Generic[Cell]):
    """Both channels of one campaign (or one theme run): figures at k, records at k_text."""

    def __init__(self, counts: Mapping[Cell, int], k: int, k_text: int, search_bound: int = DEFAULT_SEARCH_BOUND):
        self.counts = {cell: int(n) for cell, n in counts.items() if n > 0}
        self.k, self.k_text = k, k_text
        self.figures = FiguresLedger(self.counts, k, search_bound)
        self.records = RecordsLedger(self.counts, k_text)

    def copy(self) -> ReleaseLedger[Cell]:
        other = ReleaseLedger.__new__(ReleaseLedger)
        other.counts, other.k, other.k_text = self.counts, self.k, self.k_text
        other.figures = self.figures._copy()
        other.figures.released = list(self.figures.released)
        other.records = RecordsLedger.__new__(RecordsLedger)
        other.records.k = self.records.k
        other.records.classes = self.records.classes.copy()
        other.records.released = list(self.records.released)
        return other

    def check(self, cells: Iterable[Cell], records: bool = False) -> Verdict[Cell]:
        cells = frozenset(cells)
        if records:
            verdict = self.records.check(cells)
            if not verdict:
                return verdict
        return self.figures.check(cells)

    def record(self, cells: Iterable[Cell], records: bool = False) -> None:
        cells = frozenset(cells)
        if records:
            self.records.record(cells)
        self.figures.record(cells)

    def offer(self, cells: Iterable[Cell], records: bool = False) -> Verdict[Cell]:
        """Check and, when allowed, record."""
        cells = frozenset(cells)
        if records:
            verdict = self.records.check(cells)
            if not verdict:
                return verdict
        verdict = self.figures.offer(cells)
        if verdict and records:
            self.records.record(cells)
        return verdict

    def plan(self, candidates: Sequence[tuple[Key, Iterable[Cell]]], records: bool = False) -> dict[Key, Verdict[Cell]]:
        """Greedy secondary suppression: candidates are offered largest first (ties in the given order), so
        the cells hidden are the smallest ones. Returns key → Verdict; allowed candidates are recorded."""
        sized = [(key, frozenset(cells)) for key, cells in candidates]
        order = sorted(range(len(sized)), key=lambda i: -sum(self.counts.get(c, 0) for c in sized[i][1]))
        verdicts: dict[Key, Verdict[Cell]] = {}
        passing: list[int] = []
        scratch = self.records.classes.copy() if records else None
        for index in order:
            key, cells = sized[index]
            if scratch is not None:  # records
                verdict = RecordsLedger.check_against(scratch, cells, self.k_text)
                if not verdict:
                    verdicts[key] = verdict
                    continue
                scratch.split(cells)
            passing.append(index)
        for index, verdict in zip(passing, self.figures.offer_many([sized[i][1] for i in passing])):
            key, cells = sized[index]
            verdicts[key] = verdict
            if verdict and records:
                self.records.record(cells)
        return {key: verdicts[key] for key, _ in sized}


__all__ = [
    "BELOW_K",
    "DIFFERENCING",
    "SEARCH_BOUND",
    "FiguresLedger",
    "RecordsLedger",
    "ReleaseLedger",
    "Verdict",
]
