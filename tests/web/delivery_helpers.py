"""Builders for delivery tests: people with e-mail addresses and DingTalk ids, links from received messages."""

import re

from app.extensions import db
from app.people.directory import apply_import
from app.people.importer import PersonRow
from tests.web.respond_helpers import make_campaign

LINK = re.compile(r"https?://[^\s\"<>]+/s/([\w-]+)")


def add_reachable_people(count=3, start=1, email=True, dingtalk=True, language=None, department="总部/华东区/杭州门店"):
    rows = [
        PersonRow(
            i + 2,
            f"P{start + i:04d}",
            f"员工{start + i}",
            f"p{start + i}@example.com" if email else None,
            department,
            "employee",
            "第一批",
            dingtalk_userid=f"user{start + i}" if dingtalk else None,
            language=language,
        )
        for i in range(count)
    ]
    apply_import(db.session, rows)
    db.session.commit()


def campaign_for(count=3, **people):
    """An open campaign whose audience is `count` reachable people, without invitations yet."""
    add_reachable_people(count, **people)
    campaign, _tokens = make_campaign(people=0)
    return campaign


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match, f"no invitation link in {text!r}"
    return match.group(1)
