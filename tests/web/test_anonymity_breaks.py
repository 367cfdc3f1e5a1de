"""The attacks that broke anonymity on 2026-11 main (issue 13), replayed as a manager would: each must fail.

k = 5 and k_text = 10 throughout. Every comment is unique, so a test can tell whose rows or comments a view
shows; the attacker only compares what the product released.
"""

import csv
import io
from collections import Counter

from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Response, Theme, ThemeMember, ThemeRun
from app.themes.runs import create_run, execute_run
from tests.web.respond_helpers import add_people, complete_answers, csrf_from, make_campaign, open_form
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

K, K_TEXT = 5, 10


def api(client, campaign, query=""):
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def released(body):
    return {s["key"]: s for s in body["segments"] if not s["suppressed"]}


def unique_specs(specs, start=0):
    """(count, role, department, wave, sus value) → add_responses specs, one unique comment per response;
    every other comment is a complaint."""
    out, serial = [], start
    for count, role, department, wave, value in specs:
        for _ in range(count):
            serial += 1
            text = f"审批太慢了，很麻烦{serial:04d}" if serial % 2 else f"意见{serial:04d}"
            out.append((1, role, department, wave, satisfaction(value, 5, value, text)))
    return out


# -- 1. parent minus children, across levels and across parents -------------------------------------------


def test_parent_minus_released_children_never_leaves_a_small_group(client, login_as):
    campaign = campaign_with(
        unique_specs(
            [
                (9, "employee", "集团A/甲", "第一批", 4),
                (10, "employee", "集团A/乙", "第一批", 3),
                (2, "employee", "集团A/丙", "第一批", 1),
                (12, "employee", "集团B/丁", "第一批", 4),
                (2, "employee", "集团B/戊", "第一批", 2),
                (3, "employee", "集团B/己", "第一批", 2),
            ]
        )
    )
    login_as("manager")
    parents = released(api(client, campaign, "?by=department&level=1"))
    children = released(api(client, campaign, "?by=department&level=2"))
    assert parents, "the parents are large enough to be shown"
    for parent, entry in parents.items():
        shown = sum(child["n"] for key, child in children.items() if key.startswith(parent + "/"))
        assert not 0 < entry["n"] - shown < K, f"{parent}: {entry['n']} − {shown} leaves a small group"


# -- 2. include=negative_share follows the time rule -------------------------------------------------------


def test_negative_share_does_not_move_after_one_more_answer(client, login_as):
    specs = [(16, "employee", "集团A/甲", "第一批", 4), (14, "employee", "集团A/乙", "第一批", 3)]
    campaign = campaign_with(unique_specs(specs))
    login_as("manager")
    before = api(client, campaign, "?include=negative_share")
    assert 0 < before["overall"]["negative_comment_share"] < 1
    add_responses(campaign, [(1, "employee", "集团A/甲", "第一批", satisfaction(4, 9, 4, "挺好的，很方便"))])
    after = api(client, campaign, "?include=negative_share")
    assert after["overall"]["n"] == before["overall"]["n"]
    assert after["overall"].get("negative_comment_share") == before["overall"].get("negative_comment_share")


# -- 3. the raw-answer export does not isolate one new submission -----------------------------------------


def export_rows(client, campaign):
    response = client.get(f"/campaigns/{campaign.id}/export.csv?table=answers")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_raw_export_does_not_change_after_one_more_answer(client, login_as):
    campaign = campaign_with(
        unique_specs([(15, "employee", "集团A/甲", "第一批", 4), (12, "manager", "集团A/乙", "第一批", 3)])
    )
    login_as("manager")
    before = export_rows(client, campaign)
    add_responses(campaign, unique_specs([(1, "employee", "集团A/甲", "第一批", 2)], start=900))
    after = export_rows(client, campaign)
    assert Counter(map(tuple, after)) - Counter(map(tuple, before)) == Counter()


# -- 4. the comments page does not show a new comment right after it was written --------------------------


def test_the_comments_page_does_not_show_a_comment_right_after_it_was_written(client, login_as):
    campaign = campaign_with(
        unique_specs([(12, "employee", "集团A/甲", "第一批", 4), (8, "employee", "集团A/乙", "第一批", 3)])
    )
    login_as("manager")
    assert "意见0002" in client.get(f"/results/{campaign.id}/comments").get_data(as_text=True)
    add_responses(campaign, [(1, "employee", "集团A/甲", "第一批", satisfaction(4, 9, 4, "刚写的新评论"))])
    assert "刚写的新评论" not in client.get(f"/results/{campaign.id}/comments").get_data(as_text=True)


def test_a_theme_run_does_not_take_a_comment_right_after_it_was_written(client, login_as):
    """Themes are read from comments too: a run started after one more answer groups the released ones only."""
    campaign = campaign_with(
        unique_specs([(12, "employee", "集团A/甲", "第一批", 4), (8, "employee", "集团A/乙", "第一批", 3)])
    )
    login_as("manager")
    assert "意见0002" in client.get(f"/results/{campaign.id}/comments").get_data(as_text=True)
    add_responses(campaign, [(1, "employee", "集团A/甲", "第一批", satisfaction(4, 9, 4, "刚写的新评论"))])
    run = create_run(db.session, [campaign.id])
    execute_run(run.id)
    run = db.session.get(ThemeRun, run.id)
    texts = set(
        db.session.execute(
            select(Answer.value_text)
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .join(Theme)
            .where(Theme.run_id == run.id)
        ).scalars()
    )
    assert run.status == "succeeded" and run.n_comments == 20
    assert "刚写的新评论" not in texts and "意见0002" in texts


# -- 5. two exports cannot be intersected ------------------------------------------------------------------


def test_two_exports_cannot_be_intersected_to_isolate_a_small_department(client, login_as):
    """When 甲 grows past k_text, the rows of 丙 must not be left as "集团A rows before minus 甲 rows after"."""
    campaign = campaign_with(
        unique_specs(
            [
                (9, "employee", "集团A/甲", "第一批", 4),
                (2, "employee", "集团A/丙", "第一批", 1),
                (14, "employee", "集团A/乙", "第一批", 3),
            ]
        )
    )
    login_as("manager")
    exports = [export_rows(client, campaign)]
    add_responses(
        campaign,
        unique_specs([(1, "employee", "集团A/甲", "第一批", 4), (6, "employee", "集团A/乙", "第一批", 3)], start=500),
    )
    exports.append(export_rows(client, campaign))
    comment = exports[0][0].index("trouble")
    groups = []
    for rows in exports:
        labels = {}
        for row in rows[1:]:
            labels.setdefault(tuple(row[:3]), set()).add(row[comment])
        groups += list(labels.values())
    everyone = set().union(*groups)
    classes = Counter(frozenset(i for i, group in enumerate(groups) if text in group) for text in everyone)
    small = {members: n for members, n in classes.items() if n < K_TEXT}
    assert not small, f"rows that two exports single out: {small}"


# -- 7. at rest, no stored response names a unit of fewer than k invited people ---------------------------


def test_a_stored_response_never_names_a_department_of_fewer_than_k_people(client):
    add_people(6, department="总部/华东区/杭州门店", start=100)
    add_people(1, department="总部/华东区/小仓库", start=200)
    campaign, tokens = make_campaign(people=0)
    assert len(tokens) == 7
    for token in tokens:
        page = open_form(client, token)
        data = complete_answers(campaign) | {"csrf_token": csrf_from(page)}
        assert client.post("/respond", data=data).status_code in (200, 303)
    stored = set(
        db.session.execute(select(Response.department_path).where(Response.campaign_id == campaign.id)).scalars()
    )
    assert len(stored) and "总部/华东区/小仓库" not in stored
    assert stored <= {"总部/华东区/杭州门店", "总部/华东区", "总部"}
