"""Managers' edits survive a full re-run: split and move are made again by the edited themes' comments and terms,
and an edit that no longer applies is listed on the run page, not dropped."""

from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Response, Theme, ThemeEdit, ThemeMember, ThemeRun
from app.themes.replay import reapply_edits
from tests.conftest import csrf_token_from
from tests.web.test_themes import commented_campaign, run_cli, stored_themes


def members_of(theme_id: int) -> set[str]:
    return set(db.session.execute(select(ThemeMember.answer_id).where(ThemeMember.theme_id == theme_id)).scalars())


def theme_of(run_id: int, answer_id: str) -> Theme:
    return db.session.execute(
        select(Theme)
        .join(ThemeMember, ThemeMember.theme_id == Theme.id)
        .where(Theme.run_id == run_id, Theme.merged_into_id.is_(None), ThemeMember.answer_id == answer_id)
    ).scalar_one()


def manager_token(client, login_as, run_id: int) -> str:
    login_as("manager")
    return csrf_token_from(client.get(f"/themes/runs/{run_id}").get_data(as_text=True))


def test_a_split_is_made_again_on_a_full_re_run(runner, client, login_as):
    campaign = commented_campaign(count=100)
    _, first = run_cli(runner, campaign.id)
    biggest = max((t for t in stored_themes(first["id"]) if not t.is_other), key=lambda t: t.size)
    token = manager_token(client, login_as, first["id"])
    assert client.post(f"/themes/themes/{biggest.id}/split", data={"csrf_token": token}).status_code == 302
    edit = db.session.execute(select(ThemeEdit).where(ThemeEdit.action == "split")).scalar_one()
    parts = {db.session.get(Theme, i).lineage: members_of(i) for i in edit.payload["into"]}

    _, second = run_cli(runner, campaign.id, full=True)

    assert "refresh_of" not in second["params"] and second["params"]["unapplied_edits"] == []
    by_lineage = {t.lineage: t for t in stored_themes(second["id"])}
    for lineage, members in parts.items():
        assert lineage in by_lineage
        assert members <= members_of(by_lineage[lineage].id)


def test_a_moved_comment_is_moved_again_on_a_full_re_run(runner, client, login_as):
    campaign = commented_campaign(count=100)
    _, first = run_cli(runner, campaign.id)
    source, target = sorted((t for t in stored_themes(first["id"]) if not t.is_other), key=lambda t: -t.size)[:2]
    answer_id = sorted(members_of(source.id))[0]
    token = manager_token(client, login_as, first["id"])
    response = client.post(
        f"/themes/themes/{source.id}/members/{answer_id}/move", data={"csrf_token": token, "to": target.id}
    )
    assert response.status_code == 302

    _, second = run_cli(runner, campaign.id, full=True)

    assert second["params"]["unapplied_edits"] == []
    assert theme_of(second["id"], answer_id).lineage == target.lineage


def hand_made_run(campaign, groups: list[tuple[str, dict, list[str]]]) -> ThemeRun:
    """A succeeded run whose themes are (lineage, term weights, answer ids), as a re-clustering left them."""
    run = ThemeRun(campaign_ids=[campaign.id], quarter=campaign.quarter, status="succeeded", params={"k_text": 10})
    db.session.add(run)
    db.session.flush()
    for rank, (lineage, weights, answers) in enumerate(groups):
        theme = Theme(run_id=run.id, label=f"主题{rank}", lineage=lineage, term_weights=weights, rank=rank)
        theme.respondents = len(answers)
        db.session.add(theme)
        db.session.flush()
        db.session.add_all(ThemeMember(theme_id=theme.id, answer_id=a, polarity="negative") for a in answers)
    db.session.commit()
    return run


def test_an_edit_whose_theme_was_spread_over_others_is_listed_for_the_manager(client, login_as):
    campaign = commented_campaign(count=40)
    answers = list(
        db.session.execute(
            select(Answer.id).join(Response).where(Response.campaign_id == campaign.id).order_by(Answer.id)
        ).scalars()
    )
    approval = {"审批": 1.0, "流程": 0.5}
    first = hand_made_run(campaign, [("lineage-approval", approval, answers[:20]), ("lineage-other", {}, answers[20:])])
    renamed = first.themes[0]
    renamed.custom_label = "审批<b>太慢</b>"
    db.session.add(
        ThemeEdit(
            run_id=first.id,
            action="rename",
            payload={"lineage": renamed.lineage, "theme_id": renamed.id, "label": renamed.custom_label},
        )
    )
    db.session.commit()
    # the re-run spread the renamed theme's comments half and half over two themes about other things
    second = hand_made_run(
        campaign, [("x", {"打卡": 1.0}, answers[:10] + answers[30:]), ("y", {"培训": 1.0}, answers[10:30])]
    )

    reapply_edits(db.session, second)
    db.session.commit()

    assert [e["reason"] for e in second.params["unapplied_edits"]] == ["theme_gone"]
    assert all(t.custom_label is None for t in second.themes)
    login_as("manager")
    html = client.get(f"/themes/runs/{second.id}").get_data(as_text=True)
    assert 'data-unapplied-edits="1"' in html
    assert "审批&lt;b&gt;太慢&lt;/b&gt;" in html and "<b>太慢" not in html
