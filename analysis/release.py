"""Release steps, the groups the product shows, and the segment a response may keep at rest (pure).

A response is stored with a coarsened segment — its *atom*: (department path, role, wave), any of them None
— and, once a release step is cut, the number of that step. A *cell* is (atom, step): the ledger
(`analysis.disclosure`) reasons about sets of cells, and the groups the product shows are such sets:
everyone, a role, a wave, a department at a level, each up to some step. Responses not yet in a step are in
no figure, no comment list and no export.

Steps: a new one is cut when the responses waiting for one reach `step_size` (at least k_text, and at least a
small share of the audience, so a large campaign has a bounded number of steps), and at close. Every view
then asks the ledger for the new step; a group the ledger refuses keeps showing the step it was last
released at.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from analysis.disclosure import BELOW_K, ReleaseLedger, Verdict

Atom: TypeAlias = tuple[str | None, str | None, str | None]  # (department path, role, wave)
Cell: TypeAlias = tuple[Atom, int]  # (atom, step)
Label: TypeAlias = tuple[str, str, str]  # (department, role, wave) as shown in the export; "" where a column is blank

OVERALL = ""
FIGURES = "figures"
RECORDS = "records"
CHANNELS = (FIGURES, RECORDS)
STALE = "stale"
DIMENSIONS = ("role", "wave")
DEFAULT_STEP_SHARE = 0.05


def group_key(dimension: str, value: str) -> str:
    """'role=employee', 'wave=第一批', 'dept_2=总部/华东区'; '' is everyone."""
    return f"{dimension}={value}"


def parse_group_key(key: str) -> tuple[str, str] | None:
    if key == OVERALL:
        return None
    dimension, _, value = key.partition("=")
    return dimension, value


def department_ancestor(path: str | None, level: int) -> str | None:
    if not path:
        return None
    parts = path.split("/")
    return "/".join(parts[:level]) if len(parts) >= level else None


def atom_in_group(atom: Atom, key: str) -> bool:
    parsed = parse_group_key(key)
    if parsed is None:
        return True
    dimension, value = parsed
    department, role, wave = atom
    if dimension == "role":
        return role == value
    if dimension == "wave":
        return wave == value
    if dimension.startswith("dept_"):
        return department_ancestor(department, int(dimension[5:])) == value
    raise ValueError(f"unknown group dimension {dimension!r}")


def department_levels(atoms: Iterable[Atom]) -> int:
    return max((atom[0].count("/") + 1 for atom in atoms if atom[0]), default=0)


def standard_group_keys(atoms: Iterable[Atom]) -> list[str]:
    """Every group a page, the API, an export or the report can show: everyone, each role, each wave,
    each department at each level — in a fixed order."""
    atoms = list(atoms)
    keys = [OVERALL]
    roles = sorted({atom[1] for atom in atoms if atom[1]})
    waves = sorted({atom[2] for atom in atoms if atom[2]})
    keys += [group_key("role", role) for role in roles] + [group_key("wave", wave) for wave in waves]
    for level in range(1, department_levels(atoms) + 1):
        paths = sorted({path for atom in atoms if (path := department_ancestor(atom[0], level)) is not None})
        keys += [group_key(f"dept_{level}", path) for path in paths]
    return keys


def group_cells(key: str, cell_counts: Mapping[Cell, int], step: int) -> frozenset[Cell]:
    """The cells of a group up to a step."""
    return frozenset(cell for cell in cell_counts if cell[1] <= step and atom_in_group(cell[0], key))


def step_size(audience: int, k_text: int, share: float = DEFAULT_STEP_SHARE) -> int:
    """How many waiting responses make a new release step: at least k_text, at least `share` of the audience."""
    return max(k_text, math.ceil(audience * share))


# -- at rest ------------------------------------------------------------------------------------------------


def coarsen_at_rest(
    department: str | None, role: str | None, wave: str | None, audience: Mapping[Atom, int], k: int
) -> Atom:
    """The segment a response may keep: the department cut to its deepest ancestor whose audience has at
    least k invited people; the role only where that department × role has at least k; the wave only where
    that department (× role, if kept) × wave has at least k. `audience` counts invited people per
    (department path, role, wave) of the campaign. No stored segment names a unit of fewer than k people."""

    def invited(predicate: Callable[[Atom], bool]) -> int:
        return sum(n for atom, n in audience.items() if predicate(atom))

    def within(path: str | None) -> Callable[[Atom], bool]:
        return lambda atom: (
            path is None or (atom[0] is not None and (atom[0] == path or atom[0].startswith(path + "/")))
        )

    kept_department = None
    if department:
        parts = department.split("/")
        for depth in range(len(parts), 0, -1):
            candidate = "/".join(parts[:depth])
            if invited(within(candidate)) >= k:
                kept_department = candidate
                break
    in_department = within(kept_department)
    kept_role = role if role and invited(lambda atom: in_department(atom) and atom[1] == role) >= k else None
    kept_wave = None
    if wave:

        def same(atom: Atom) -> bool:
            return in_department(atom) and (kept_role is None or atom[1] == kept_role) and atom[2] == wave

        kept_wave = wave if invited(same) >= k else None
    return kept_department, kept_role, kept_wave


def _under(department: str | None, path: str) -> bool:
    return department is not None and (department == path or department.startswith(path + "/"))


# -- the release state of a campaign ------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What one group shows in one channel at the current step: its figures as of `shown_step` (None: hidden),
    and why it does not show the current step (None when it does)."""

    key: str
    channel: str
    shown_step: int | None
    reason: str | None
    n: int | None


@dataclass(frozen=True)
class Release:
    channel: str
    key: str
    step: int


@dataclass
class StepPlan:
    decisions: dict[tuple[str, str], Decision]
    new_releases: list[Release]


def replay(
    cell_counts: Mapping[Cell, int],
    history: Iterable[Release],
    k: int,
    k_text: int,
    labels: Mapping[Cell, Label] | None = None,
) -> ReleaseLedger[Cell]:
    """A ledger holding every release made before (records releases are figures releases too); export
    releases need the labels their rows were given."""
    ledger = ReleaseLedger(cell_counts, k, k_text)
    for release in sorted(history, key=lambda r: (r.step, r.channel != RECORDS, r.key)):
        if release.key.startswith(EXPORT_PREFIX):
            groups = export_groups(labels or {}, release.step)
            cells = groups.get(export_label_of(release.key), frozenset())
        else:
            cells = group_cells(release.key, cell_counts, release.step)
        ledger.record(cells, records=release.channel == RECORDS)
    return ledger


def plan_step(
    cell_counts: Mapping[Cell, int],
    history: Sequence[Release],
    step: int,
    k: int,
    k_text: int,
    keys: Sequence[str] | None = None,
    ledger: ReleaseLedger[Cell] | None = None,
) -> StepPlan:
    """Offer every group at `step` to the ledger, figures first, then records; everyone first, then the
    rest largest first. A refused group keeps showing the last step it was released at."""
    atoms = {cell[0] for cell in cell_counts}
    keys = list(keys) if keys is not None else standard_group_keys(atoms)
    ledger = ledger or replay(cell_counts, history, k, k_text)
    latest: dict[tuple[str, str], int] = {}
    for r in history:
        if r.step <= step:
            latest[(r.channel, r.key)] = max(latest.get((r.channel, r.key), 0), r.step)
    decisions: dict[tuple[str, str], Decision] = {}
    new: list[Release] = []
    for channel in CHANNELS:
        pending = [key for key in keys if latest.get((channel, key)) != step]
        for key in keys:
            if latest.get((channel, key)) == step:
                decisions[(channel, key)] = Decision(key, channel, step, None, group_n(cell_counts, key, step))
        cells = {key: group_cells(key, cell_counts, step) for key in pending}
        overall_first = [key for key in pending if key == OVERALL]
        rest = [key for key in pending if key != OVERALL]
        verdicts: dict[str, Verdict[Cell]] = {}
        for batch in (overall_first, rest):
            verdicts.update(ledger.plan([(key, cells[key]) for key in batch], records=channel == RECORDS))
        for key in pending:
            verdict = verdicts[key]
            if verdict:
                new.append(Release(channel, key, step))
                decisions[(channel, key)] = Decision(key, channel, step, None, verdict.n)
            else:
                before = latest.get((channel, key))
                reason = STALE if before is not None else verdict.reason
                decisions[(channel, key)] = Decision(
                    key, channel, before, reason, group_n(cell_counts, key, before) if before is not None else None
                )
    return StepPlan(decisions, new)


def group_n(cell_counts: Mapping[Cell, int], key: str, step: int) -> int:
    """A group's respondents up to a step."""
    return sum(n for cell, n in cell_counts.items() if cell[1] <= step and atom_in_group(cell[0], key))


__all__ = [
    "BELOW_K",
    "FIGURES",
    "OVERALL",
    "RECORDS",
    "STALE",
    "Decision",
    "Release",
    "StepPlan",
    "coarsen_at_rest",
    "group_cells",
    "group_key",
    "group_n",
    "plan_step",
    "replay",
    "standard_group_keys",
    "step_size",
]


# -- raw-export labels --------------------------------------------------------------------------------------

BLANK: Label = ("", "", "")
EXPORT_PREFIX = "export="


def export_key(label: Label) -> str:
    return EXPORT_PREFIX + "\x1f".join(label)


def export_label_of(key: str) -> Label:
    department, role, wave = key[len(EXPORT_PREFIX) :].split("\x1f")
    return department, role, wave


def label_ladder(atom: Atom) -> list[Label]:
    """The labels a row of this atom may show, finest first: wave dropped first, then the department moved up
    a level at a time, then the role; the last is blank."""
    department, role, wave = (part or "" for part in atom)
    ladder = [(department, role, wave)]
    if wave:
        ladder.append((department, role, ""))
    parts = department.split("/") if department else []
    ladder += [("/".join(parts[:depth]), role, "") for depth in range(len(parts) - 1, 0, -1)]
    if department:
        ladder.append(("", role, ""))
    if role:
        ladder.append(BLANK)
    return list(dict.fromkeys(ladder))


def export_groups(labels: Mapping[Cell, Label], step: int) -> dict[Label, frozenset[Cell]]:
    """What an export at `step` releases: per label, the cells of the rows it labels (steps ≤ `step`)."""
    groups: dict[Label, set[Cell]] = {}
    for cell, label in labels.items():
        if cell[1] <= step:
            groups.setdefault(label, set()).add(cell)
    return {label: frozenset(cells) for label, cells in groups.items()}


def label_new_steps(
    cell_counts: Mapping[Cell, int], ledger: ReleaseLedger[Cell], fixed: Mapping[Cell, Label], step: int
) -> dict[Cell, Label] | None:
    """Labels for the cells of steps ≤ `step` that have none yet, as fine as the ledger allows.

    Labels already given (`fixed`) never change. Every cell starts at its finest label; each label group the
    ledger refuses (as records: its rows can be matched against every other list and export) moves its new
    cells one rung down their ladder, until every group may be released. Returns the new labels, or None
    when even blank labels cannot be released (the export then stays at an earlier step)."""
    new_cells = [cell for cell in cell_counts if cell[1] <= step and cell not in fixed]
    rung = dict.fromkeys(new_cells, 0)
    ladders = {cell: label_ladder(cell[0]) for cell in new_cells}
    for _ in range(1 + sum(len(ladder) for ladder in ladders.values())):
        labels = dict(fixed) | {cell: ladders[cell][rung[cell]] for cell in new_cells}
        groups = export_groups(labels, step)
        trial = ledger.copy()
        verdicts = trial.plan([(export_key(label), cells) for label, cells in groups.items()], records=True)
        refused = {export_label_of(key) for key, verdict in verdicts.items() if not verdict}
        if not refused:
            return {cell: labels[cell] for cell in new_cells}
        moved = False
        for cell in new_cells:
            if labels[cell] in refused and rung[cell] < len(ladders[cell]) - 1:
                rung[cell] += 1
                moved = True
        if not moved:
            if all(rung[cell] == len(ladders[cell]) - 1 for cell in new_cells):
                return None
            for cell in new_cells:  # a refused group cannot be coarsened further: everything new goes blank
                rung[cell] = len(ladders[cell]) - 1
    return None
