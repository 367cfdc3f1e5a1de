"""Themes below k_text: no members, quotes, keywords, label, breakdown or polarity anywhere a theme is shown."""

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Theme, ThemeMember, ThemeRun
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

EAST = "总部/华东区/杭州门店"
SMALL_WORD = "考勤机"
SMALL_TEXTS = [f"{SMALL_WORD}第{i}台总是认不出脸，排队打卡很久" for i in range(8)]
LARGE_TEXTS = [f"审批流程太长了，第{i}张报销单要等一周" for i in range(12)]


def add_theme(run, campaign, label, texts, rank):
    """A theme whose members are one comment each of `len(texts)` new respondents."""
    add_responses(campaign, [(1, "employee", EAST, "第一批", satisfaction(3, text=text)) for text in texts])
    answers = (
        db.session.execute(select(Answer).where(Answer.value_text.in_(texts)).order_by(Answer.value_text))
        .scalars()
        .all()
    )
    theme = Theme(
        run_id=run.id,
        label=label,
        keywords=label.split("、"),
        size=len(answers),
        respondents=len(answers),
        negative_respondents=len(answers),
        negative_share=1.0,
        representatives=[a.value_text for a in answers[:3]],
        breakdown={"role": {"employee": len(answers)}, "department": {EAST: len(answers)}},
        term_weights=dict.fromkeys(label.split("、"), 1.0),
        rank=rank,
        lineage=f"lineage-{rank}",
        recurring_quarters=[campaign.quarter],
    )
    db.session.add(theme)
    db.session.flush()
    db.session.add_all(ThemeMember(theme_id=theme.id, answer_id=a.id, polarity="negative") for a in answers)
    db.session.commit()
    return theme


@pytest.fixture
def small_theme_run():
    """A succeeded run with k_text = 10: a theme of 12 respondents and one of 8."""
    campaign = campaign_with([])
    run = ThemeRun(
        campaign_ids=[campaign.id],
        quarter=campaign.quarter,
        status="succeeded",
        stage="done",
        progress=100,
        params={"k_text": 10, "k": 2},
        n_comments=len(SMALL_TEXTS) + len(LARGE_TEXTS),
    )
    db.session.add(run)
    db.session.commit()
    large = add_theme(run, campaign, "审批流程、报销、等待", LARGE_TEXTS, 0)
    small = add_theme(run, campaign, f"{SMALL_WORD}、认不出、排队", SMALL_TEXTS, 1)
    return run, large, small


def test_a_small_theme_shows_no_quotes_or_keywords_on_the_run_page(client, login_as, small_theme_run):
    run, large, _small = small_theme_run
    login_as("manager")
    html = client.get(f"/themes/runs/{run.id}").get_data(as_text=True)
    assert large.representatives[0] in html and "报销" in html
    assert SMALL_WORD not in html and "认不出" not in html
    assert "另有 1 个小主题，每个少于 10 人" in html


def test_the_api_gives_a_small_theme_neither_representatives_nor_keywords(client, login_as, small_theme_run):
    run, large, _small = small_theme_run
    login_as("manager")
    themes = client.get(f"/api/v1/theme-runs/{run.id}/themes").json
    assert [t["id"] for t in themes] == [large.id]
    assert themes[0]["representatives"] == large.representatives and themes[0]["keywords"] == large.keywords
    assert client.get(f"/api/v1/theme-runs/{run.id}").json["small_themes"] == 1


def test_the_suggestion_prefill_from_a_small_theme_carries_neither_quotes_nor_keywords(
    client, login_as, small_theme_run
):
    _run, large, small = small_theme_run
    login_as("manager")
    prefill = client.get(f"/committee/from-theme/{small.id}").get_data(as_text=True)
    assert SMALL_WORD not in prefill and "认不出" not in prefill
    assert "少于 10 人" in prefill
    released = client.get(f"/committee/from-theme/{large.id}").get_data(as_text=True)
    assert large.representatives[0] in released and "报销" in released


def test_the_largest_text_threshold_of_a_runs_campaigns_applies(client, login_as, small_theme_run):
    from app.themes.runs import create_run

    run, large, _small = small_theme_run
    strict = campaign_with([], min_group_text=15)
    assert create_run(db.session, [run.campaign_ids[0], strict.id]).params["k_text"] == 15
    run.campaign_ids = [run.campaign_ids[0], strict.id]
    db.session.commit()
    login_as("manager")
    html = client.get(f"/themes/runs/{run.id}").get_data(as_text=True)
    assert large.representatives[0] not in html and "另有 2 个小主题，每个少于 15 人" in html


def pages_of(app, run, themes):
    """Every GET page and JSON document about the run or one of its themes, the quarter's report included."""
    from flask import url_for

    values = {"run_id": [run.id], "theme_id": [t.id for t in themes]}
    paths = [f"/reports/{run.quarter}"]
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            arguments = set(rule.arguments)
            if "GET" not in rule.methods or len(arguments) != 1 or not arguments <= set(values):
                continue
            (argument,) = arguments
            paths += [url_for(rule.endpoint, **{argument: value}) for value in values[argument]]
    return paths


def test_no_page_or_json_field_about_a_run_carries_a_small_themes_words(app, client, login_as, runner, small_theme_run):
    run, large, small = small_theme_run
    login_as("manager")
    paths = pages_of(app, run, [large, small])
    assert f"/themes/runs/{run.id}" in paths and f"/committee/from-theme/{small.id}" in paths
    assert f"/api/v1/theme-runs/{run.id}/themes" in paths
    shown = {path: client.get(path).get_data(as_text=True) for path in paths}
    shown["cli"] = runner.invoke(args=["themes", "show", str(run.id), "--json"]).output
    assert all(json.loads(shown[p]) for p in paths if "/api/" in p)
    for where, text in shown.items():
        assert SMALL_WORD not in text and "认不出" not in text, where
        assert not any(member in text for member in SMALL_TEXTS), where
