"""Theme runs in the app: CLI, background run, pages, edits kept across runs, API, failures."""

import json
import random
import re
import time

from sqlalchemy import func, select

from app.demo_comments import demo_comment
from app.extensions import db
from app.models import AnswerTokens, Theme, ThemeMember, ThemeRun
from tests.conftest import csrf_token_from
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

EAST = "总部/华东区/杭州门店"


def commented_campaign(count=80, seed=1, **overrides):
    rng = random.Random(seed)
    campaign = campaign_with([], **overrides)
    for _ in range(count):
        add_responses(campaign, [(1, "employee", EAST, "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))])
    return campaign


def run_cli(runner, *campaign_ids, full=False):
    args = ["themes", "run"] + [a for cid in campaign_ids for a in ("--campaign", str(cid))] + ["--wait", "--json"]
    args += ["--full"] if full else []
    result = runner.invoke(args=args)
    return result, json.loads(result.stdout) if result.stdout.strip().startswith("{") else None


def test_cli_run_with_wait_prints_themes_and_caches_tokens(runner):
    campaign = commented_campaign()
    result, data = run_cli(runner, campaign.id)
    assert result.exit_code == 0, result.output
    assert data["status"] == "succeeded" and data["id"]
    assert len([t for t in data["themes"] if not t["is_other"]]) >= 3
    assert db.session.execute(select(func.count()).select_from(AnswerTokens)).scalar_one() > 0
    shown = json.loads(runner.invoke(args=["themes", "show", str(data["id"]), "--json"]).output)
    assert shown["id"] == data["id"] and shown["themes"]


def test_second_run_reuses_cached_tokens(runner):
    campaign = commented_campaign()
    run_cli(runner, campaign.id)
    cached = db.session.execute(select(func.count()).select_from(AnswerTokens)).scalar_one()
    _result, data = run_cli(runner, campaign.id)
    assert data["status"] == "succeeded"
    assert db.session.execute(select(func.count()).select_from(AnswerTokens)).scalar_one() == cached


def tokens_stored():
    return db.session.execute(select(func.count()).select_from(AnswerTokens)).scalar_one()


def test_a_full_re_run_reads_every_stored_token_instead_of_tokenising_again(runner):
    # a run after an earlier one loads its comments without tokens, then reads the stored ones
    campaign = commented_campaign()
    _, first = run_cli(runner, campaign.id)
    cached = tokens_stored()
    result, again = run_cli(runner, campaign.id, full=True)
    assert result.exit_code == 0, result.output
    assert again["status"] == "succeeded" and "refresh_of" not in again["params"]
    assert tokens_stored() == cached
    assert [t["label"] for t in again["themes"]] == [t["label"] for t in first["themes"]]


def test_a_refresh_reads_the_stored_tokens_of_new_comments_another_run_tokenised(runner):
    # the new comments were tokenised by a run over two campaigns; the refresh over the first one reads them
    campaign, other = commented_campaign(count=100), commented_campaign(count=20, seed=2)
    _, first = run_cli(runner, campaign.id)
    rng = random.Random(9)
    for _ in range(10):
        add_responses(campaign, [(1, "employee", EAST, "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))])
    run_cli(runner, campaign.id, other.id)
    cached = tokens_stored()
    result, refreshed = run_cli(runner, campaign.id)
    assert result.exit_code == 0, result.output
    assert refreshed["status"] == "succeeded" and refreshed["params"]["refresh_of"] == first["id"]
    assert tokens_stored() == cached


def test_too_few_respondents_fail_with_the_reason_and_no_themes(runner):
    campaign = commented_campaign(count=6)
    result, _ = run_cli(runner, campaign.id)
    assert result.exit_code == 1 and "不足 10 人" in result.output
    run = db.session.execute(select(ThemeRun)).scalar_one()
    assert run.status == "failed" and not run.themes


def test_a_crashing_run_is_marked_failed_and_leaves_the_previous_run_intact(runner, monkeypatch):
    campaign = commented_campaign()
    _, _first = run_cli(runner, campaign.id)
    import analysis.text.pipeline as pipeline

    def explode(self, comments):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline.ThemePipeline, "fit", explode)
    _result, _ = run_cli(runner, campaign.id, full=True)
    runs = db.session.execute(select(ThemeRun).order_by(ThemeRun.id)).scalars().all()
    assert runs[-1].status == "failed" and "boom" in runs[-1].error
    assert runs[0].status == "succeeded" and runs[0].themes


def test_page_starts_a_background_run_and_shows_theme_cards(client, login_as, app):
    campaign = commented_campaign()
    login_as("manager")
    page = client.get("/themes/").get_data(as_text=True)
    response = client.post("/themes/runs", data={"csrf_token": csrf_token_from(page), "campaign": str(campaign.id)})
    assert response.status_code == 302
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    deadline = time.time() + 60
    while time.time() < deadline:
        status = client.get(f"/themes/runs/{run_id}/status.json").json
        if status["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "succeeded", status
    html = client.get(f"/themes/runs/{run_id}").get_data(as_text=True)
    assert "theme-card" in html and "<blockquote" in html


def test_rename_merge_and_noise_are_kept_when_the_run_is_refreshed(runner, client, login_as):
    campaign = commented_campaign()
    _, data = run_cli(runner, campaign.id)
    themes = [t for t in data["themes"] if not t["is_other"]]
    login_as("manager")
    page = client.get(f"/themes/runs/{data['id']}").get_data(as_text=True)
    token = csrf_token_from(page)
    client.post(f"/themes/themes/{themes[0]['id']}/rename", data={"csrf_token": token, "label": "审批太慢<script>"})
    client.post(f"/themes/themes/{themes[1]['id']}/noise", data={"csrf_token": token})
    html = client.get(f"/themes/runs/{data['id']}").get_data(as_text=True)
    assert "审批太慢&lt;script&gt;" in html and "<script>" not in html.split("审批太慢")[1][:20]
    _, again = run_cli(runner, campaign.id, full=True)
    labels = {t["label"] for t in again["themes"]}
    assert "审批太慢<script>" in labels
    assert any(t["is_noise"] for t in again["themes"])


def test_theme_api_hides_members_below_k_text_and_is_manager_only(client, login_as, runner):
    campaign = commented_campaign()
    _, data = run_cli(runner, campaign.id)
    login_as("manager")
    themes = client.get(f"/api/v1/theme-runs/{data['id']}/themes").json
    for theme in themes:
        assert set(theme) >= {
            "id",
            "label",
            "keywords",
            "size",
            "respondents",
            "negative_share",
            "recurring_quarters",
            "representatives",
        }
        assert ("members" in theme) == (theme["respondents"] >= 10)
    assert client.get(f"/api/v1/theme-runs/{data['id']}").json["status"] == "succeeded"


def test_theme_pages_are_manager_only(client, login_as, runner):
    campaign = commented_campaign()
    _, data = run_cli(runner, campaign.id)
    login_as("committee")
    assert client.get(f"/themes/runs/{data['id']}").status_code == 403
    assert client.get(f"/api/v1/theme-runs/{data['id']}/themes").status_code == 403


def test_recurring_theme_keeps_its_name_in_the_next_quarter(runner, login_as, client):
    q3 = commented_campaign(seed=1, quarter="2026Q3")
    _, first = run_cli(runner, q3.id)
    top = next(t for t in first["themes"] if not t["is_other"])
    theme = db.session.get(Theme, top["id"])
    theme.custom_label = "经理起的名字"
    db.session.commit()
    q4 = commented_campaign(seed=2)
    _, second = run_cli(runner, q4.id)
    recurring = [t for t in second["themes"] if t["recurring_quarters"] == ["2026Q3", "2026Q4"]]
    assert recurring, second["themes"]
    assert any(t["label"] == "经理起的名字" for t in recurring)


def stored_themes(run_id):
    """Every unmerged theme of a run as stored, released or not (what the edits and refreshes work on)."""
    db.session.expire_all()  # the requests wrote through their own sessions
    return (
        db.session.execute(select(Theme).where(Theme.run_id == run_id, Theme.merged_into_id.is_(None))).scalars().all()
    )


def test_refresh_with_a_few_new_comments_assigns_them_to_existing_themes(runner):
    campaign = commented_campaign(count=100)
    _, first = run_cli(runner, campaign.id)
    rng = random.Random(9)
    for _ in range(10):
        add_responses(campaign, [(1, "employee", EAST, "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))])
    _, second = run_cli(runner, campaign.id)
    assert second["params"]["refresh_of"] == first["id"]
    before, after = stored_themes(first["id"]), stored_themes(second["id"])
    assert {t.display_label for t in after} == {t.display_label for t in before}
    added = sum(t.size for t in after) - sum(t.size for t in before)
    assert added + (second["n_non_answers"] - first["n_non_answers"]) == 10


def test_a_refresh_counts_its_themes_from_the_comments_it_loaded_as_the_database_counts_them(runner):
    from app.themes.members import recount
    from app.themes.released import run_k_text

    campaign = commented_campaign(count=100)
    run_cli(runner, campaign.id)
    rng = random.Random(9)
    for i in range(12):
        role, department = ("manager", "总部/华北区/北京门店") if i % 3 else ("employee", EAST)
        add_responses(campaign, [(1, role, department, "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))])
    _, second = run_cli(runner, campaign.id)
    assert "refresh_of" in second["params"]

    def counts():
        return [
            (t.id, t.size, t.respondents, t.negative_respondents, t.breakdown)
            for t in db.session.execute(select(Theme).where(Theme.run_id == second["id"]).order_by(Theme.id)).scalars()
        ]

    refreshed = counts()
    run = db.session.get(ThemeRun, second["id"])
    recount(db.session, run, run_k_text(db.session, run))  # from the stored answers and responses
    assert counts() == refreshed
    assert sum(size for _, size, *_ in refreshed) == 112 - second["n_non_answers"]  # the new comments counted


def test_comments_read_without_texts_get_them_later_and_one_deleted_meanwhile_is_left_out(runner):
    from app.models import Answer
    from app.themes.runs import attach_texts, create_run, load_comments

    campaign = commented_campaign(count=30)
    run = create_run(db.session, [campaign.id])
    light = load_comments(db.session, run, texts=False)
    assert light and all(c.text == "" and c.tokens is None for c in light)
    gone = db.session.get(Answer, light[0].answer_id)
    db.session.delete(gone)
    db.session.flush()
    read = attach_texts(db.session, run, light)
    full = load_comments(db.session, run)
    assert [(c.answer_id, c.text) for c in read] == [(c.answer_id, c.text) for c in full]  # by text, as loaded
    assert gone.id not in {c.answer_id for c in read} and len(read) == len(light) - 1


def test_split_and_move_from_the_page(runner, client, login_as):
    campaign = commented_campaign(count=100)
    _, data = run_cli(runner, campaign.id)
    before = stored_themes(data["id"])
    total = sum(t.size for t in before)
    biggest = max((t for t in before if not t.is_other), key=lambda t: t.size).id
    login_as("manager")
    page = client.get(f"/themes/runs/{data['id']}").get_data(as_text=True)
    token = csrf_token_from(page)
    response = client.post(f"/themes/themes/{biggest}/split", data={"csrf_token": token})
    assert response.status_code == 302
    after = stored_themes(data["id"])
    assert biggest not in {t.id for t in after}
    assert sum(t.size for t in after) == total
    source, target = [{"id": t.id, "size": t.size} for t in after if not t.is_other][:2]
    answer_id = (
        db.session.execute(select(ThemeMember.answer_id).where(ThemeMember.theme_id == source["id"])).scalars().first()
    )
    client.post(
        f"/themes/themes/{source['id']}/members/{answer_id}/move", data={"csrf_token": token, "to": target["id"]}
    )
    moved = db.session.execute(select(ThemeMember.theme_id).where(ThemeMember.answer_id == answer_id)).scalar_one()
    assert moved == target["id"]
    assert {t.id: t.size for t in stored_themes(data["id"])}[source["id"]] == source["size"] - 1


def test_admin_adds_a_dictionary_term_that_changes_the_dictionary_version(client, login_as):
    from analysis.text.tokenise import dictionary_version
    from app.models import DictionaryTerm

    login_as("admin")
    page = client.get("/admin/dictionary").get_data(as_text=True)
    before = dictionary_version()
    response = client.post("/admin/dictionary", data={"csrf_token": csrf_token_from(page), "term": "智慧门店"})
    assert response.status_code == 302
    terms = db.session.execute(select(DictionaryTerm.term)).scalars().all()
    assert terms == ["智慧门店"] and dictionary_version(terms) != before
    bad = client.post("/admin/dictionary", data={"csrf_token": csrf_token_from(page), "term": "a b"})
    assert "不能有空格" in bad.get_data(as_text=True)


def test_every_edit_writes_its_edit_row_and_its_audit_row(runner, client, login_as):
    from app.models import AuditLog, ThemeEdit

    campaign = commented_campaign(count=100)
    _, data = run_cli(runner, campaign.id)
    first, second = sorted((t for t in data["themes"] if not t["is_other"]), key=lambda t: -t["size"])[:2]
    login_as("manager")
    token = csrf_token_from(client.get(f"/themes/runs/{data['id']}").get_data(as_text=True))
    answer_id = (
        db.session.execute(select(ThemeMember.answer_id).where(ThemeMember.theme_id == second["id"])).scalars().first()
    )
    edits = [
        ("rename", f"/themes/themes/{second['id']}/rename", {"label": "打卡"}),
        ("noise", f"/themes/themes/{second['id']}/noise", {}),
        ("move", f"/themes/themes/{second['id']}/members/{answer_id}/move", {"to": first["id"]}),
        ("merge", f"/themes/themes/{second['id']}/merge", {"into": first["id"], "confirm": "1"}),
        ("unmerge", f"/themes/themes/{second['id']}/unmerge", {}),
        ("split", f"/themes/themes/{first['id']}/split", {}),
    ]
    for action, path, form in edits:
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 302
        edit = db.session.execute(select(ThemeEdit).order_by(ThemeEdit.id.desc())).scalars().first()
        audit = db.session.execute(select(AuditLog).order_by(AuditLog.id.desc())).scalars().first()
        assert edit.action == action and audit.action == f"theme.{action}", action
        assert edit.payload["theme_id"] == int(audit.target_id) and edit.staff_user_id == audit.actor_id
    assert db.session.execute(select(func.count()).select_from(ThemeEdit)).scalar_one() == len(edits)


def test_an_edit_towards_a_theme_of_another_run_is_refused_with_a_message(runner, client, login_as):
    campaign = commented_campaign()
    _, first = run_cli(runner, campaign.id)
    _, second = run_cli(runner, campaign.id, full=True)
    source = next(t for t in first["themes"] if not t["is_other"])
    elsewhere = next(t for t in second["themes"] if not t["is_other"])
    login_as("manager")
    token = csrf_token_from(client.get(f"/themes/runs/{first['id']}").get_data(as_text=True))
    for into in (elsewhere["id"], source["id"], 2**40, "x"):
        response = client.post(
            f"/themes/themes/{source['id']}/merge", data={"csrf_token": token, "into": into}, follow_redirects=True
        )
        assert response.status_code == 200 and "请选择同一次分析中的另一个主题" in response.get_data(as_text=True)
    assert db.session.get(Theme, source["id"]).merged_into_id is None


def card(page: str, theme_id: int) -> str:
    return re.search(rf'<article class="theme-card[^"]*" id="theme-{theme_id}">(.*?)</article>', page, re.S).group(1)


def two_themes(runner, client, login_as):
    campaign = commented_campaign(count=100)
    _, data = run_cli(runner, campaign.id)
    first, second = sorted((t for t in data["themes"] if not t["is_other"]), key=lambda t: -t["size"])[:2]
    login_as("manager")
    token = csrf_token_from(client.get(f"/themes/runs/{data['id']}").get_data(as_text=True))
    return campaign, first, second, token


def members_of(theme_id: int) -> set[str]:
    return set(db.session.execute(select(ThemeMember.answer_id).where(ThemeMember.theme_id == theme_id)).scalars())


def test_a_theme_edit_answers_in_the_card_of_its_theme(runner, client, login_as):
    _, first, _second, token = two_themes(runner, client, login_as)
    response = client.post(
        f"/themes/themes/{first['id']}/rename", data={"csrf_token": token, "label": "打卡定位"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "已重命名主题" in card(page, first["id"])
    assert "已重命名主题" not in page.split('<article class="theme-card', 1)[0]
    refused = client.post(f"/themes/themes/{first['id']}/rename", data={"csrf_token": token, "label": ""})
    assert refused.headers["Location"].endswith(f"#theme-{first['id']}")
    assert "请填写主题名称" in card(client.get(refused.headers["Location"]).get_data(as_text=True), first["id"])


def test_a_merge_asks_for_confirmation_before_it_merges(runner, client, login_as):
    _, first, second, token = two_themes(runner, client, login_as)
    asked = client.post(f"/themes/themes/{second['id']}/merge", data={"csrf_token": token, "into": first["id"]})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "确认合并" in page and 'name="confirm" value="1"' in page
    assert first["label"] in page and second["label"] in page
    assert db.session.get(Theme, second["id"]).merged_into_id is None
    done = client.post(
        f"/themes/themes/{second['id']}/merge", data={"csrf_token": token, "into": first["id"], "confirm": "1"}
    )
    assert done.status_code == 302 and db.session.get(Theme, second["id"]).merged_into_id == first["id"]


def test_a_merge_can_be_undone_and_stays_undone_when_the_run_is_refreshed(runner, client, login_as):
    campaign, first, second, token = two_themes(runner, client, login_as)
    before = {first["id"]: members_of(first["id"]), second["id"]: members_of(second["id"])}
    keywords = list(db.session.get(Theme, first["id"]).keywords)
    client.post(f"/themes/themes/{second['id']}/merge", data={"csrf_token": token, "into": first["id"], "confirm": "1"})
    assert members_of(first["id"]) == before[first["id"]] | before[second["id"]]
    undo = client.post(f"/themes/themes/{second['id']}/unmerge", data={"csrf_token": token}, follow_redirects=True)
    db.session.expire_all()
    source, target = db.session.get(Theme, second["id"]), db.session.get(Theme, first["id"])
    assert source.merged_into_id is None and target.keywords == keywords
    assert members_of(second["id"]) == before[second["id"]] and members_of(first["id"]) == before[first["id"]]
    assert "已撤销合并" in card(undo.get_data(as_text=True), second["id"])
    _, again = run_cli(runner, campaign.id, full=True)
    assert not db.session.execute(
        select(Theme).where(Theme.run_id == again["id"], Theme.merged_into_id.is_not(None))
    ).first()


def test_the_run_page_says_why_a_listed_comment_counts_as_negative(runner, client, login_as):
    from markupsafe import escape

    from analysis.text.normalise import normalise
    from analysis.text.polarity import explain
    from app.models import Answer

    campaign = commented_campaign()
    _, data = run_cli(runner, campaign.id)
    shown = next(t for t in data["themes"] if not t["is_other"] and t["respondents"] >= 10)
    listed = db.session.execute(
        select(Answer.id, Answer.value_text, ThemeMember.polarity)
        .join(ThemeMember, ThemeMember.answer_id == Answer.id)
        .where(ThemeMember.theme_id == shown["id"])
        .order_by(Answer.id)
        .limit(30)
    ).all()
    login_as("manager")
    html = client.get(f"/themes/runs/{data['id']}").get_data(as_text=True)
    for _answer_id, text, polarity in listed:
        after = html.split(f'<li><blockquote class="data">{escape(text)}</blockquote>', 1)[1].split("</li>", 1)[0]
        cues = [c.text for c in explain(normalise(text)).cues if c.weight < 0]
        assert ("data-negative-cues" in after) == (polarity == "negative" and bool(cues)), text
        assert all(f'<mark class="data">{escape(cue)}</mark>' in after for cue in cues if polarity == "negative"), text


def test_a_suggestion_pre_filled_from_a_theme_takes_its_readable_label_as_title(runner, client, login_as):
    from markupsafe import escape

    campaign = commented_campaign()
    _, data = run_cli(runner, campaign.id)
    shown = next(t for t in data["themes"] if not t["is_other"] and t["respondents"] >= 10)
    assert "、" not in shown["label"]
    login_as("manager")
    page = client.get(f"/committee/from-theme/{shown['id']}").get_data(as_text=True)
    assert f'value="{escape(shown["label"])}"' in page
