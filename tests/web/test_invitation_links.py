"""Invitation links keep working: derived from SECRET_KEY, printed again unchanged, replaced only by "重新生成"."""

import csv
import io

from sqlalchemy import select

from app.campaigns.links import derive_token, token_hash
from app.campaigns.service import invitation_links, issue_invitations
from app.extensions import db
from app.models import Invitation
from tests.web.respond_helpers import make_campaign, submit


def _export(runner, campaign_id, *extra):
    result = runner.invoke(args=["invitations", "export", str(campaign_id), "--format", "csv", *extra])
    assert result.exit_code == 0, result.output
    return {row[0]: row[3] for row in list(csv.reader(io.StringIO(result.stdout)))[1:]}


def test_the_database_alone_yields_no_working_link(app, client):
    _campaign, tokens = make_campaign(people=1)
    invitation = db.session.execute(select(Invitation)).scalar_one()
    assert invitation.token_hash == token_hash(tokens[0])
    assert tokens[0] not in {invitation.token_hash, str(invitation.id)}
    # what an attacker with the database but without SECRET_KEY can derive does not open the survey
    for guessed_key in ("", "dev-only-change-me", invitation.token_hash):
        guess = derive_token(guessed_key, invitation.id, invitation.token_generation)
        assert client.get(f"/s/{guess}").status_code == 404
    assert client.get(f"/s/{tokens[0]}").status_code == 303


def test_token_has_at_least_128_bits(app):
    _campaign, tokens = make_campaign(people=2)
    assert all(len(token) == 32 for token in tokens)  # 24 bytes of HMAC-SHA256, base64url: 192 bits
    assert tokens[0] != tokens[1]


def test_exported_link_opens_the_survey_and_can_be_submitted(app, client, runner):
    campaign, _tokens = make_campaign(people=2)
    links = _export(runner, campaign.id)
    token = links["P0001"].rsplit("/", 1)[1]
    response = submit(client, token, campaign)
    assert response.status_code == 303 and response.headers["Location"] == "/respond/thanks"
    assert list(_export(runner, campaign.id)) == ["P0002"]  # the answered link is no longer pending


def test_reissue_pending_replaces_only_pending_links_and_the_old_ones_stop(app, client, runner):
    campaign, tokens = make_campaign(people=2)
    submit(client, tokens[0], campaign)
    before = _export(runner, campaign.id)
    after = _export(runner, campaign.id, "--reissue-pending")
    assert list(after) == ["P0002"] and after["P0002"] != before["P0002"]
    assert client.get("/s/" + before["P0002"].rsplit("/", 1)[1]).status_code == 404
    assert client.get("/s/" + after["P0002"].rsplit("/", 1)[1]).status_code == 303


def test_rotating_the_secret_key_stops_derived_links(app, client):
    campaign, tokens = make_campaign(people=1)
    app.config["SECRET_KEY"] = "a-new-key-after-rotation"
    assert client.get(f"/s/{tokens[0]}").status_code == 404
    reissued = issue_invitations(db.session, campaign, reissue_pending=True)
    db.session.commit()
    assert client.get(f"/s/{reissued[0][1]}").status_code == 303


def test_legacy_random_link_keeps_working_but_cannot_be_printed_again(app, client, runner):
    campaign, _tokens = make_campaign(people=1)
    invitation = db.session.execute(select(Invitation)).scalar_one()
    invitation.token_hash, invitation.token_generation = token_hash("legacy-random-token-0123456789ab"), None
    db.session.commit()
    assert invitation_links(db.session, campaign) == ([], 1)
    result = runner.invoke(args=["invitations", "export", str(campaign.id), "--format", "csv"])
    assert "无法再次输出" in result.stderr
    assert client.get("/s/legacy-random-token-0123456789ab").status_code == 303
