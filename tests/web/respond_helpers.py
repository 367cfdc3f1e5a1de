"""Builders for respond tests: a campaign with invitations, and complete answer sets."""

import re

from app.campaigns.service import CampaignSpec, create_campaign, issue_invitations
from app.extensions import db
from app.instruments import instrument_for, latest_version
from app.people.directory import apply_import
from app.people.importer import PersonRow


def add_people(count=3, department="总部/华东区/杭州门店", role="employee", wave="第一批", start=1):
    rows = [
        PersonRow(i + 2, f"P{start + i:04d}", f"员工{start + i}", None, department, role, wave) for i in range(count)
    ]
    apply_import(db.session, rows)
    db.session.commit()


def make_campaign(instrument="quarterly-satisfaction", people=3, **overrides):
    """A running campaign with `people` invitees; returns (campaign, [plain tokens])."""
    if people:
        add_people(people)
    version = latest_version(db.session, instrument)
    spec = CampaignSpec(
        instrument_version_id=version.id,
        quarter="2026Q4",
        title="测试问卷",
        departments=[],
        roles=[],
        waves=[],
        opens_at=None,
        closes_at=None,
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    campaign, _ = create_campaign(db.session, spec)
    tokens = [token for _, token in issue_invitations(db.session, campaign)]
    db.session.commit()
    return campaign, tokens


def complete_answers(campaign, text="审批流程太长了，希望简化。"):
    """Form data answering every question of the campaign's instrument."""
    definition = instrument_for(campaign.instrument_version)
    data = {}
    for question in definition.questions:
        if question.type in ("likert5", "likert7"):
            data[question.code] = "4"
        elif question.type == "nps":
            data[question.code] = "9"
        elif question.type == "single":
            data[question.code] = question.options[0].code
        elif question.type == "multi":
            data[question.code] = [question.options[0].code]
        else:
            data[question.code] = text
    return data


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token"
    return match.group(1)


def open_form(client, token):
    """Follow an invitation link to the token-free form; returns the form page HTML."""
    first = client.get(f"/s/{token}")
    assert first.status_code == 303, first.status_code
    assert first.headers["Location"] == "/respond"
    page = client.get("/respond")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def submit(client, token, campaign, **changes):
    html = open_form(client, token)
    data = complete_answers(campaign)
    data.update(changes)
    data["csrf_token"] = csrf_from(html)
    return client.post("/respond", data=data)
