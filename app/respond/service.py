"""Storing a response so that it cannot be linked to the person who gave it.

One transaction: the invitation is completed by a conditional UPDATE (only one concurrent submit can
win), then the response is written with a random id, the day only and a segment coarsened at rest — the
department cut to its deepest ancestor with at least k invited people, role and wave only where their
combination has at least k (`app.results.releases.stored_segment`). Nothing from the request (IP, user
agent, token, time of day) reaches the row; the response waits for the next release step to count.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.campaigns.links import token_hash, verify_token
from app.campaigns.service import availability
from app.models import Answer, Campaign, Invitation, Person, Response
from app.results.releases import stored_segment
from app.sqlite import write_transaction

RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
RECEIPT_GROUPS = 4


class LinkUnavailable(Exception):
    """The link cannot be used; `reason` is 'invalid' (unknown or used), 'not_open' or 'closed'.

    `unknown` is True only for a token that matches no invitation at all (what guessing produces); the
    page shown is the same either way, only the rate limit counts unknown tokens.
    """

    def __init__(self, reason: str, unknown: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.unknown = unknown


@dataclass(frozen=True)
class Respondent:
    """What the form needs to know about who is answering, without naming them."""

    campaign_id: int
    invitation_id: int | None
    via_open_link: bool = False


def new_receipt_code() -> str:
    """16 characters from a 31-letter alphabet (≈ 79 bits), shown as XXXX-XXXX-XXXX-XXXX."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4 * RECEIPT_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def normalise_receipt_code(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def receipt_hash(code: str) -> str:
    return hashlib.sha256(("receipt:" + normalise_receipt_code(code)).encode()).hexdigest()


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def respondent_for_token(session, token: str, secret_key: str) -> Respondent:
    """Resolve an invitation token; unknown and used tokens are indistinguishable to the caller.

    A derived link whose hash matches but which `secret_key` no longer derives (the key was rotated)
    counts as unknown.
    """
    invitation = session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if invitation is None or not verify_token(secret_key, token, invitation.id, invitation.token_generation):
        raise LinkUnavailable("invalid", unknown=True)
    if invitation.status != "pending":
        raise LinkUnavailable("invalid")
    state = availability(invitation.campaign)
    if state != "open":
        raise LinkUnavailable(state)
    return Respondent(campaign_id=invitation.campaign_id, invitation_id=invitation.id)


def respondent_for_open_link(session, token: str) -> Respondent:
    campaign = session.execute(
        select(Campaign).where(Campaign.open_link_hash == token_hash(token))
    ).scalar_one_or_none()
    if campaign is None:
        raise LinkUnavailable("invalid")
    state = availability(campaign)
    if state != "open":
        raise LinkUnavailable(state)
    return Respondent(campaign_id=campaign.id, invitation_id=None, via_open_link=True)


def check_still_usable(session, respondent: Respondent) -> Campaign:
    """Re-check a respondent kept in the session: the invitation may have been used meanwhile."""
    campaign = session.get(Campaign, respondent.campaign_id)
    if campaign is None:
        raise LinkUnavailable("invalid")
    if respondent.invitation_id is not None:
        invitation = session.get(Invitation, respondent.invitation_id)
        if invitation is None or invitation.status != "pending":
            raise LinkUnavailable("invalid")
    state = availability(campaign)
    if state != "open":
        raise LinkUnavailable(state)
    return campaign


def submit_response(
    session,
    respondent: Respondent,
    answers: list[tuple[str, float | None, str | None]],
    timezone: str = "Asia/Shanghai",
    submitted_on: date | None = None,
) -> str:
    """Store one response atomically and return its receipt code (shown once, stored hashed).

    Raises LinkUnavailable('invalid') when the invitation was already used, in which case nothing
    is stored. `submitted_on` is only for loading history (the demo); requests use today's date.
    """
    receipt = new_receipt_code()
    with write_transaction(session):
        campaign = session.get(Campaign, respondent.campaign_id)
        if campaign is None or (submitted_on is None and availability(campaign) != "open"):
            raise LinkUnavailable("closed" if campaign is not None else "invalid")
        role = department = wave = None
        if respondent.invitation_id is not None:
            claimed = session.execute(
                update(Invitation)
                .where(Invitation.id == respondent.invitation_id, Invitation.status == "pending")
                .values(status="completed")
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                raise LinkUnavailable("invalid")
            person = session.execute(
                select(Person)
                .join(Invitation, Invitation.person_id == Person.id)
                .where(Invitation.id == respondent.invitation_id)
            ).scalar_one()
            department, role, wave = stored_segment(session, campaign, person)
        response = Response(
            id=str(uuid.uuid4()),
            campaign_id=respondent.campaign_id,
            submitted_on=submitted_on or local_today(timezone),
            role=role,
            department_path=department,
            wave=wave,
            via_open_link=respondent.via_open_link,
            receipt_hash=receipt_hash(receipt),
        )
        session.add(response)
        session.add_all(
            Answer(
                id=uuid.uuid4().hex, response_id=response.id, question_code=code, value_number=number, value_text=text
            )
            for code, number, text in answers
            if number is not None or (text is not None and text != "")
        )
    return receipt
