"""The quarterly report's assembly on fixed data: every figure against a value computed by hand."""

from datetime import date

import pandas as pd
import pytest

from analysis.privacy import BELOW_K, GROUP_HIDDEN
from analysis.report import (
    ReleasedGroup,
    ReportInputs,
    SuggestionRecord,
    SurveyRelease,
    ThemeSummary,
    assemble,
)

Q4_START, Q4_END, Q3_START = date(2026, 10, 1), date(2027, 1, 1), date(2026, 7, 1)
EAST, SOUTH, NORTH, HQ = "总部/华东区", "总部/华南区", "总部/华北区", "总部/总部职能"


def usage_rows():
    """Q4 per store (level 3); Q3 per region (level 2)."""
    q4 = {
        EAST + "/杭州门店": dict(
            headcount=40, active_users=36, dau_mau=0.70, approvals=400, approval_hours=6, checkin_rate=0.95
        ),
        EAST + "/上海门店": dict(
            headcount=60, active_users=48, dau_mau=0.60, approvals=600, approval_hours=8, checkin_rate=0.90
        ),
        SOUTH + "/深圳门店": dict(
            headcount=50, active_users=30, dau_mau=0.50, approvals=100, approval_hours=20, checkin_rate=0.80
        ),
        NORTH + "/北京门店": dict(
            headcount=50, active_users=20, dau_mau=0.40, approvals=100, approval_hours=30, checkin_rate=0.70
        ),
        HQ + "/财务部": dict(headcount=20, active_users=18),
    }
    q3 = {
        EAST: dict(headcount=100, active_users=70),
        SOUTH: dict(headcount=50, active_users=25),
        NORTH: dict(headcount=50, active_users=15),
        HQ: dict(headcount=20, active_users=10),
    }
    rows = [("2026Q4", d, m, float(v)) for d, figures in q4.items() for m, v in figures.items()]
    rows += [("2026Q3", d, m, float(v)) for d, figures in q3.items() for m, v in figures.items()]
    return pd.DataFrame(rows, columns=["quarter", "department", "metric", "value"])


def shown(n, **scores):
    return ReleasedGroup(False, n, scores=scores)


def hidden(reason=BELOW_K):
    return ReleasedGroup(True, None, reason)


def adkar(a, d, k, ab, r, **more):
    return dict(adkar_awareness=a, adkar_desire=d, adkar_knowledge=k, adkar_ability=ab, adkar_reinforcement=r, **more)


def satisfaction(**overrides):
    departments = {
        EAST: shown(30, sus=75.0, enps=20.0),
        SOUTH: shown(20, sus=68.0, enps=5.0),
        NORTH: shown(10, sus=60.0, enps=-10.0),
        HQ: shown(8, sus=62.0, enps=0.0),
    }
    departments.update(overrides)
    return SurveyRelease(5, shown(68, sus=70.0, enps=10.0), departments)


def readiness():
    east = ReleasedGroup(
        False,
        28,
        scores=adkar(4.2, 4.0, 3.8, 3.6, 3.4),
        barrier_points={"awareness": 1, "desire": 2, "knowledge": 3, "ability": 2, "reinforcement": 4, "none": 16},
    )
    south = ReleasedGroup(
        False,
        18,
        scores=adkar(3.5, 3.3, 3.1, 3.0, 2.6),
        barrier_points={"awareness": 0, "desire": 1, "knowledge": 2, "ability": 6, "reinforcement": 5, "none": 4},
    )
    north = ReleasedGroup(
        False,
        9,
        scores=adkar(3.0, 2.8, 2.6, 2.5, 2.1),
        barrier_points={"awareness": 1, "desire": 4, "knowledge": 4, "ability": 0, "reinforcement": 0, "none": 0},
    )
    overall = shown(59, **adkar(4.0, 3.6, 3.2, 3.0, 2.7, resist_routine_seeking=2.0, resist_emotional_reaction=2.4))
    return SurveyRelease(5, overall, {EAST: east, SOUTH: south, NORTH: north, HQ: hidden()})


def suggestions():
    d = date
    return [
        SuggestionRecord(
            d(2026, 10, 5),
            [
                ("submitted", d(2026, 10, 5)),
                ("under_review", d(2026, 10, 7)),
                ("adopted", d(2026, 10, 12)),
                ("in_progress", d(2026, 10, 20)),
                ("implemented", d(2026, 11, 10)),
            ],
        ),
        SuggestionRecord(
            d(2026, 10, 10),
            [("submitted", d(2026, 10, 10)), ("under_review", d(2026, 10, 11)), ("declined", d(2026, 10, 13))],
        ),
        SuggestionRecord(
            d(2026, 11, 1),
            [("submitted", d(2026, 11, 1)), ("under_review", d(2026, 11, 2)), ("adopted", d(2026, 11, 21))],
        ),
        SuggestionRecord(d(2026, 12, 1), [("submitted", d(2026, 12, 1))]),
        SuggestionRecord(
            d(2026, 9, 20),
            [("submitted", d(2026, 9, 20)), ("under_review", d(2026, 9, 21)), ("adopted", d(2026, 9, 25))],
        ),
    ]


def themes():
    return [
        ThemeSummary("审批太慢", 30, 25, ["2026Q3", "2026Q4"], previous_respondents=20, quote="审批要等三天"),
        ThemeSummary("打卡定位不准", 12, 10, ["2026Q3", "2026Q4"], previous_respondents=4),
        ThemeSummary("日报太多", 8, 8, ["2026Q4"]),
        ThemeSummary("消息太多", 15, 9, ["2026Q4"]),
    ]


def inputs(**overrides):
    values = dict(
        quarter="2026Q4",
        previous_quarter="2026Q3",
        level=2,
        quarter_start=Q4_START,
        quarter_end=Q4_END,
        previous_start=Q3_START,
        usage=usage_rows(),
        headcount={},
        satisfaction=satisfaction(),
        satisfaction_previous=SurveyRelease(5, shown(61, sus=65.5, enps=-5.0)),
        readiness=readiness(),
        readiness_previous=SurveyRelease(
            5, shown(50, **adkar(3, 3, 3, 3, 3, resist_routine_seeking=2.5, resist_emotional_reaction=2.5))
        ),
        themes=themes(),
        k_text=10,
        suggestions=suggestions(),
    )
    values.update(overrides)
    return ReportInputs(**values)


def kpis(report):
    return {kpi["key"]: kpi for kpi in report["kpis"]}


def department(report, name):
    return next(row for row in report["departments"]["rows"] if row["department"] == name)


def test_usage_kpis_add_up_counts_and_weight_shares_across_every_store():
    k = kpis(assemble(inputs()))
    assert (
        k["active_users"]["value"] == 152 and k["active_users"]["previous"] == 120 and k["active_users"]["change"] == 32
    )
    assert k["adoption"]["value"] == pytest.approx(152 / 220)
    assert k["adoption"]["previous"] == pytest.approx(120 / 220)
    assert k["adoption"]["change"] == pytest.approx(0.1455)
    assert k["dau_mau"]["value"] == pytest.approx((36 * 0.7 + 48 * 0.6 + 30 * 0.5 + 20 * 0.4) / 134)
    assert k["approval_hours"]["value"] == pytest.approx((400 * 6 + 600 * 8 + 100 * 20 + 100 * 30) / 1200)
    assert k["checkin_rate"]["value"] == pytest.approx((40 * 0.95 + 60 * 0.9 + 50 * 0.8 + 50 * 0.7) / 200)


def test_kpis_without_previous_figures_have_no_change():
    k = kpis(assemble(inputs()))
    assert k["dau_mau"]["previous"] is None and k["dau_mau"]["change"] is None


def test_survey_kpis_come_from_the_released_overall_figures_with_change():
    k = kpis(assemble(inputs()))
    assert (k["sus"]["value"], k["sus"]["previous"], k["sus"]["change"]) == (70.0, 65.5, 4.5)
    assert (k["enps"]["value"], k["enps"]["change"]) == (10.0, 15.0)
    assert (k["readiness"]["value"], k["readiness"]["previous"], k["readiness"]["change"]) == (3.3, 3.0, 0.3)
    assert (k["resistance"]["value"], k["resistance"]["change"]) == (2.2, -0.3)
    assert k["resistance"]["lower_is_better"] and not k["sus"]["lower_is_better"]


def test_survey_kpis_are_suppressed_when_the_overall_group_is_below_k():
    small = SurveyRelease(5, hidden(), {})
    k = kpis(assemble(inputs(satisfaction=small)))
    assert k["sus"]["suppressed"] and k["sus"]["value"] is None and k["sus"]["change"] is None
    assert k["sus"]["reason"] == BELOW_K


def test_suggestion_kpis_compare_this_quarters_intake_with_the_last():
    k = kpis(assemble(inputs()))
    assert (k["suggestions_received"]["value"], k["suggestions_received"]["previous"]) == (4, 1)
    assert (k["suggestions_adopted"]["value"], k["suggestions_implemented"]["value"]) == (2, 1)


def test_department_usage_is_rolled_up_from_its_stores():
    east = department(assemble(inputs()), EAST)["usage"]
    assert east["headcount"] == 100 and east["active_users"] == 84 and east["adoption"] == pytest.approx(0.84)
    assert east["dau_mau"] == pytest.approx(54 / 84)
    assert east["approval_hours"] == pytest.approx(7.2)
    assert east["checkin_rate"] == pytest.approx(0.92)


def test_departments_show_released_survey_figures_and_readiness_with_barrier():
    report = assemble(inputs())
    east = department(report, EAST)
    assert east["satisfaction"] == {"suppressed": False, "n": 30, "k": 5, "sus": 75.0, "enps": 20.0}
    assert east["readiness"]["index"] == 3.8 and east["readiness"]["barrier"] == "reinforcement"
    assert department(report, NORTH)["readiness"]["barrier"] == "desire"  # tie: the earlier ADKAR element


def test_a_department_hidden_on_the_results_pages_is_hidden_in_the_report():
    hq = department(assemble(inputs()), HQ)["readiness"]
    assert hq["suppressed"] and hq["reason"] == BELOW_K and "index" not in hq and hq["n"] is None


def test_directory_headcount_is_used_when_the_file_gives_none():
    usage = usage_rows()
    usage = usage[~((usage["department"] == HQ + "/财务部") & (usage["metric"] == "headcount"))]
    report = assemble(inputs(usage=usage, headcount={HQ + "/财务部": 24}))
    assert department(report, HQ)["usage"]["adoption"] == pytest.approx(18 / 24)


def test_rank_correlation_of_adoption_and_sus_across_departments():
    correlation = assemble(inputs())["departments"]["correlation"]
    # adoption ranks 华北 1, 华南 2, 华东 3, 总部职能 4; SUS ranks 1, 3, 4, 2: Σd² = 6, ρ = 1 − 6·6/(4·15)
    assert correlation["shown"] and correlation["rho"] == 0.4 and correlation["n"] == 4
    assert correlation["metric"] == "adoption" and not correlation["significant"]


def test_rank_correlation_p_value_is_exact_for_few_departments():
    correlation = assemble(inputs())["departments"]["correlation"]
    # of the 24 orderings of four departments, 18 give |ρ| ≥ 0.4 (Σd² ≤ 6 or ≥ 14)
    assert correlation["p_value"] == 0.75


def test_rank_correlation_withheld_when_a_department_is_below_k():
    correlation = assemble(inputs(satisfaction=satisfaction(**{NORTH: hidden()})))["departments"]["correlation"]
    assert not correlation["shown"] and correlation["rho"] is None
    assert correlation["reason"] == GROUP_HIDDEN and correlation["blocked"] == [NORTH]


def test_rank_correlation_withheld_when_a_department_has_no_survey_group():
    release = satisfaction()
    del release.departments[HQ]
    correlation = assemble(inputs(satisfaction=release))["departments"]["correlation"]
    assert not correlation["shown"] and correlation["blocked"] == [HQ]


def test_rank_correlation_needs_three_departments():
    usage = usage_rows()
    usage = usage[usage["department"].str.startswith((EAST, SOUTH))]
    correlation = assemble(inputs(usage=usage))["departments"]["correlation"]
    assert not correlation["shown"] and correlation["reason"] == "too_few"


def test_without_usage_metrics_the_report_says_so():
    report = assemble(inputs(usage=usage_rows().iloc[0:0]))
    assert report["departments"]["correlation"]["reason"] == "no_usage"
    assert report["attention"]["reason"] == "no_usage"
    assert "active_users" not in kpis(report)


def test_departments_needing_attention_have_low_adoption_and_low_readiness():
    attention = assemble(inputs())["attention"]
    # median adoption of 0.84, 0.6, 0.4, 0.9 is 0.72; organisation readiness (4+3.6+3.2+3+2.7)/5 = 3.3
    assert attention["median_adoption"] == pytest.approx(0.72) and attention["organisation_readiness"] == 3.3
    assert [(row["department"], row["readiness"], row["barrier"]) for row in attention["rows"]] == [
        (NORTH, 2.6, "desire"),
        (SOUTH, 3.1, "ability"),
    ]
    assert attention["not_assessed"] == [HQ]


def test_attention_is_not_judged_when_overall_readiness_is_hidden():
    release = readiness()
    release.overall = hidden()
    assert assemble(inputs(readiness=release))["attention"]["reason"] == "overall_hidden"


def test_themes_below_k_text_are_withheld_and_trends_need_both_quarters_released():
    report = assemble(inputs())["themes"]
    assert [item["label"] for item in report["items"]] == ["审批太慢", "打卡定位不准", "消息太多"]
    assert report["withheld"] == 1
    approvals, checkin, messages = report["items"]
    assert (approvals["trend"], approvals["change"], approvals["previous_respondents"]) == ("up", 10, 20)
    assert (checkin["trend"], checkin["change"], checkin["previous_respondents"]) == ("recurring", None, None)
    assert messages["trend"] == "new"


def test_suggestion_funnel_follows_the_quarters_intake():
    funnel = assemble(inputs())["suggestions"]
    assert {key: funnel[key] for key in ("received", "adopted", "implemented", "declined", "decided", "pending")} == {
        "received": 4,
        "adopted": 2,
        "implemented": 1,
        "declined": 1,
        "decided": 3,
        "pending": 1,
    }
    assert funnel["adoption_rate"] == 0.5 and funnel["implementation_rate"] == 0.5


def test_days_to_decision_run_from_receipt_to_the_first_decision():
    funnel = assemble(inputs())["suggestions"]
    # decided after 7 (adopted), 3 (declined) and 20 (adopted) days
    assert funnel["median_days_to_decision"] == 7 and funnel["mean_days_to_decision"] == 10.0


def test_profiles_are_the_released_overall_module_and_adkar_means():
    release = satisfaction()
    release.overall.scores.update(module_approval=2.4, module_attendance=3.6)
    profile = assemble(inputs(satisfaction=release))["profile"]
    assert profile["satisfaction"] == {"approval": 2.4, "attendance": 3.6}
    assert profile["readiness"] == {
        "awareness": 4.0,
        "desire": 3.6,
        "knowledge": 3.2,
        "ability": 3.0,
        "reinforcement": 2.7,
    }


def test_profiles_are_withheld_when_the_overall_group_is_below_k():
    assert assemble(inputs(readiness=SurveyRelease(5, hidden(), {})))["profile"]["readiness"] is None


def test_the_report_is_plain_json():
    import json

    report = assemble(inputs())
    assert json.loads(json.dumps(report)) == report
