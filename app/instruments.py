"""The bridge between instrument definitions (`surveys`) and their stored, frozen versions.

A built-in definition is copied into the database as an InstrumentVersion; when the definition
changes, a new version is added — a version that a campaign uses is never edited.
"""

from __future__ import annotations

import json
from functools import lru_cache

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

import surveys
from app.models import Instrument, InstrumentVersion, Question


class InstrumentNotFound(LookupError):
    pass


def sync_builtin_instruments(session) -> list[InstrumentVersion]:
    """Make sure every built-in instrument's current definition is stored; returns the latest versions."""
    latest = []
    for definition in surveys.builtin_instruments():
        latest.append(store_definition(session, definition))
    session.flush()
    return latest


def store_definition(session, definition) -> InstrumentVersion:
    """Store `definition` as a new version unless the latest version already has the same content."""
    digest = surveys.definition_hash(definition)
    instrument = session.execute(select(Instrument).where(Instrument.slug == definition.name)).scalar_one_or_none()
    if instrument is None:
        instrument = Instrument(slug=definition.name, name_zh=definition.title["zh"], name_en=definition.title["en"])
        session.add(instrument)
        session.flush()
    current = session.execute(
        select(InstrumentVersion)
        .where(InstrumentVersion.instrument_id == instrument.id)
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if current is not None and current.definition_hash == digest:
        return current
    version = InstrumentVersion(
        instrument=instrument,
        version=(current.version + 1) if current else 1,
        definition=json.dumps(surveys.to_dict(definition), ensure_ascii=False, sort_keys=True),
        definition_hash=digest,
    )
    for position, question in enumerate(definition.questions):
        version.questions.append(
            Question(
                code=question.code,
                position=position,
                qtype=question.type,
                required=question.required,
                text_zh=question.text["zh"],
                text_en=question.text["en"],
                scale_code=question.scale,
            )
        )
    session.add(version)
    session.flush()
    return version


def latest_version(session, slug: str) -> InstrumentVersion:
    sync_builtin_instruments(session)
    version = session.execute(
        select(InstrumentVersion)
        .join(Instrument)
        .where(Instrument.slug == slug)
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if version is None:
        names = "、".join(d.name for d in surveys.builtin_instruments())
        raise InstrumentNotFound(f"没有名为“{slug}”的问卷（可用：{names}）")
    return version


def list_instruments(session) -> list[dict]:
    latest = sync_builtin_instruments(session)
    session.commit()
    return [
        {
            "name": v.instrument.slug,
            "version": v.version,
            "title": v.instrument.name_zh,
            "title_en": v.instrument.name_en,
            "questions": len(v.questions),
        }
        for v in latest
    ]


def instrument_choices(session) -> list[tuple[str, str]]:
    latest = sync_builtin_instruments(session)
    session.commit()
    return [SelectChoice(str(v.id), f"{v.instrument.name_zh}（v{v.version}）") for v in latest]


@lru_cache(maxsize=64)
def _definition_from_json(definition_hash: str, definition_json: str):
    return surveys.from_dict(json.loads(definition_json))


def instrument_for(version: InstrumentVersion):
    """The `surveys` definition of a stored version (parsed once per process per version)."""
    return _definition_from_json(version.definition_hash, version.definition)


@lru_cache(maxsize=64)
def _form_class(definition_hash: str, definition_json: str, locale: str):
    """A FlaskForm subclass whose CSRF check the respond view does itself (to keep answers on expiry)."""
    form_class = surveys.build_form_class(
        _definition_from_json(definition_hash, definition_json), base_class=FlaskForm, locale=locale
    )
    return type(form_class.__name__, (form_class,), {"Meta": type("Meta", (), {"csrf": False})})


def form_class_for(version: InstrumentVersion, locale: str):
    return _form_class(version.definition_hash, version.definition, locale)


def answers_from_form(definition, form) -> list[tuple[str, float | None, str | None]]:
    return surveys.answers_from_form(definition, form)
