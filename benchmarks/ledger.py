"""The release ledger at the size of a mid-sized company, step by step.

    .venv/bin/python benchmarks/ledger.py [--leaves 5 8 5] [--respondents 3000] [--steps 10]

A three-level organisation (by default 5 × 8 × 5 = 200 leaf departments), four roles, three waves; the
respondents arrive in equal release steps. For each step every group a page can show (everyone, each role
and wave, each department at each level) is offered to the ledger, figures then records, exactly as
`analysis.release.plan_step` does for a campaign. Prints per step the time of the plan, how many groups
show the new step, how many keep an earlier one or stay hidden (and why), and the size of the ledger; and,
as a baseline measured in the same run, the time of building the same groups' cell sets alone.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.release import FIGURES, plan_step, standard_group_keys


def organisation(leaves, respondents, steps, seed=0):
    rng = random.Random(seed)
    a, b, c = leaves
    paths = [f"总部/部{i}/组{i}{j}/队{i}{j}{m}" for i in range(a) for j in range(b) for m in range(c)]
    roles = ["employee"] * 16 + ["manager"] * 3 + ["executive", "digital_admin"]
    counts = {}
    for index in range(respondents):
        atom = (rng.choice(paths), rng.choice(roles), rng.choice(["第一批", "第二批", "第三批"]))
        cell = (atom, 1 + index * steps // respondents)
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, nargs=3, default=[5, 8, 5])
    parser.add_argument("--respondents", type=int, default=3000)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    all_counts = organisation(args.leaves, args.respondents, args.steps)
    history, total = [], 0.0
    for step in range(1, args.steps + 1):
        counts = {cell: n for cell, n in all_counts.items() if cell[1] <= step}
        started = time.perf_counter()
        keys = standard_group_keys({cell[0] for cell in counts})
        from analysis.release import group_cells

        for key in keys:
            group_cells(key, counts, step)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        plan = plan_step(counts, history, step, k=5, k_text=10)
        seconds = time.perf_counter() - started
        total += seconds
        history += plan.new_releases
        figures = [d for (channel, _), d in plan.decisions.items() if channel == FIGURES]
        shown = sum(1 for d in figures if d.shown_step == step)
        stale = sum(1 for d in figures if d.shown_step is not None and d.shown_step < step)
        hidden = len(figures) - shown - stale
        print(
            f"step {step:2d}: plan {seconds:6.2f} s ({seconds / max(baseline, 1e-9):6.0f}× building the groups' "
            f"cells, {baseline * 1000:.0f} ms); figures of {len(figures)} groups: {shown} at this step, "
            f"{stale} at an earlier one, {hidden} hidden; {len(counts)} cells, {len(history)} releases so far",
            flush=True,
        )
    print(f"all steps: {total:.1f} s")


if __name__ == "__main__":
    main()
