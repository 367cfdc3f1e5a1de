"""Release steps, the shown groups and the segment kept at rest."""

from analysis.release import (
    FIGURES,
    OVERALL,
    RECORDS,
    STALE,
    Release,
    coarsen_at_rest,
    group_key,
    plan_step,
    standard_group_keys,
    step_size,
)

AUDIENCE = {
    ("集团A/甲", "employee", "w1"): 8,
    ("集团A/甲", "manager", "w1"): 2,
    ("集团A/乙", "employee", "w1"): 10,
    ("集团A/丙", "employee", "w2"): 2,
    ("集团B/丁", "executive", "w2"): 6,
}


def test_a_department_of_fewer_than_k_invited_is_stored_as_its_parent():
    assert coarsen_at_rest("集团A/丙", "employee", "w2", AUDIENCE, k=5) == ("集团A", "employee", None)


def test_a_role_with_fewer_than_k_in_its_department_is_not_stored():
    assert coarsen_at_rest("集团A/甲", "manager", "w1", AUDIENCE, k=5) == ("集团A/甲", None, "w1")


def test_a_segment_that_is_large_enough_is_kept_whole():
    assert coarsen_at_rest("集团A/乙", "employee", "w1", AUDIENCE, k=5) == ("集团A/乙", "employee", "w1")


def test_no_stored_segment_names_fewer_than_k_invited_people():
    for department, role, wave in AUDIENCE:
        stored = coarsen_at_rest(department, role, wave, AUDIENCE, k=5)

        def matches(atom, stored=stored):
            path, r, w = atom
            return (
                (stored[0] is None or path == stored[0] or path.startswith(stored[0] + "/"))
                and stored[1] in (None, r)
                and stored[2] in (None, w)
            )

        assert sum(n for atom, n in AUDIENCE.items() if matches(atom)) >= 5, stored


def test_step_size_is_at_least_k_text_and_a_share_of_the_audience():
    assert step_size(100, 10) == 10
    assert step_size(5000, 10) == 250


def test_standard_groups_are_everyone_roles_waves_and_each_department_level():
    keys = standard_group_keys([("集团A/甲", "employee", "w1"), ("集团B", None, None)])
    assert keys == [OVERALL, "role=employee", "wave=w1", "dept_1=集团A", "dept_1=集团B", "dept_2=集团A/甲"]


def cells(*rows):
    """(department, role, wave, step, n) → cell counts."""
    return {((d, r, w), s): n for d, r, w, s, n in rows}


def test_a_group_that_grew_by_fewer_than_k_keeps_its_last_figures():
    counts = cells(
        ("A/甲", "employee", "w1", 1, 12),
        ("A/乙", "employee", "w1", 1, 11),
        ("A/甲", "employee", "w1", 2, 1),
        ("A/乙", "employee", "w1", 2, 10),
    )
    history = plan_step(counts, [], 1, k=5, k_text=10).new_releases
    second = plan_step(counts, history, 2, k=5, k_text=10).decisions
    stale = second[(FIGURES, group_key("dept_2", "A/甲"))]
    assert stale.shown_step == 1 and stale.reason == STALE and stale.n == 12
    assert second[(FIGURES, OVERALL)].shown_step == 2
    assert second[(FIGURES, group_key("dept_2", "A/乙"))].shown_step == 1, "everyone minus 乙 would expose 甲's one"


def test_parent_minus_children_is_planned_away_at_every_level():
    counts = cells(
        ("A/甲", "employee", "w1", 1, 9),
        ("A/乙", "employee", "w1", 1, 10),
        ("A/丙", "employee", "w1", 1, 2),
        ("B/丁", "employee", "w1", 1, 30),
    )
    plan = plan_step(counts, [], 1, k=5, k_text=10)
    shown = {key for (channel, key), d in plan.decisions.items() if channel == FIGURES and d.shown_step}
    assert "dept_1=A" in shown and "dept_2=A/丙" not in shown
    assert not {"dept_2=A/甲", "dept_2=A/乙"} <= shown, "two shown children and the parent would expose 丙"


def test_comments_of_a_role_and_a_department_are_not_both_shown_when_they_intersect_in_a_few():
    counts = cells(
        ("甲", "executive", "w1", 1, 1),
        ("甲", "employee", "w1", 1, 14),
        ("乙", "executive", "w1", 1, 11),
        ("乙", "employee", "w1", 1, 12),
    )
    plan = plan_step(counts, [], 1, k=5, k_text=10)
    texts = {key for (channel, key), d in plan.decisions.items() if channel == RECORDS and d.shown_step}
    assert not {"role=executive", "dept_1=甲"} <= texts
    figures = {key for (channel, key), d in plan.decisions.items() if channel == FIGURES and d.shown_step}
    assert {"role=executive", "dept_1=甲"} <= figures


def test_a_replayed_history_gives_the_same_plan():
    counts = cells(
        ("A/甲", "employee", "w1", 1, 12), ("A/乙", "employee", "w1", 1, 11), ("A/甲", "employee", "w1", 2, 6)
    )
    history = plan_step(counts, [], 1, k=5, k_text=10).new_releases
    assert all(isinstance(r, Release) for r in history)
    again = plan_step(counts, history, 1, k=5, k_text=10)
    assert again.new_releases == []
    assert all(
        d.shown_step == 1 for (channel, _), d in again.decisions.items() if channel == FIGURES and d.reason is None
    )


def boolean_classes(sets, counts):
    """Respondents per class of cells that no set tells apart (among cells in some set)."""
    classes = {}
    for cell in {cell for group in sets for cell in group}:
        signature = frozenset(i for i, group in enumerate(sets) if cell in group)
        classes[signature] = classes.get(signature, 0) + counts[cell]
    return classes


def test_export_labels_are_as_fine_as_the_ledger_allows_and_never_isolate_a_small_department():
    from analysis.release import export_groups, label_new_steps, replay

    counts = cells(
        ("A/甲", "employee", "w1", 1, 9), ("A/丙", "employee", "w1", 1, 2), ("A/乙", "employee", "w1", 1, 14)
    )
    history = plan_step(counts, [], 1, k=5, k_text=10).new_releases
    labels = label_new_steps(counts, replay(counts, history, 5, 10), {}, 1)
    assert labels[(("A/乙", "employee", "w1"), 1)] == ("A/乙", "employee", "w1")
    assert labels[(("A/甲", "employee", "w1"), 1)] == labels[(("A/丙", "employee", "w1"), 1)]
    grown = counts | cells(("A/甲", "employee", "w1", 2, 1), ("A/乙", "employee", "w1", 2, 10))
    second = plan_step(grown, history, 2, k=5, k_text=10)
    assert second.decisions[(RECORDS, OVERALL)].shown_step == 2, "the export follows everyone's comment list"
    later = label_new_steps(grown, replay(grown, history + second.new_releases, 5, 10, labels), labels, 2)
    assert later is not None
    both = labels | later
    exports = list(export_groups(labels, 1).values()) + list(export_groups(both, 2).values())
    assert all(n >= 10 for n in boolean_classes(exports, grown).values()), "no two exports single out a few rows"
