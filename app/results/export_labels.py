"""Which segment columns the raw-answer export shows for each row: decided once per release step, stored.

The export reflects the step at which everyone's comment list was last released; rows of later responses
are not in it. Rows of a step get their labels the first time an export includes that step
(`analysis.release.label_new_steps`, as fine as the ledger allows) and keep them, so two exports never
differ by a re-coarsening; each label group an export shows is recorded in the ledger as a records release.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analysis.release import OVERALL, RECORDS, export_groups, export_key, label_new_steps
from app.models import Campaign, ExportLabel, Release
from app.results.releases import ReleaseState
from app.sqlite import write_transaction


def _atom(label_row: ExportLabel) -> tuple:
    return (label_row.department or None, label_row.role or None, label_row.wave or None)


def stored_labels(session, campaign_id: int) -> dict:
    rows = session.execute(select(ExportLabel).where(ExportLabel.campaign_id == campaign_id)).scalars()
    return {(_atom(row), row.step): (row.label_department, row.label_role, row.label_wave) for row in rows}


def export_labelling(session, campaign: Campaign, state: ReleaseState) -> tuple[dict, int | None]:
    """(labels by cell, the step the export reflects); None when nothing may be exported yet."""
    step = state.records(OVERALL).shown_step
    labels = stored_labels(session, campaign.id)
    if step is None:
        return labels, None
    missing = any(cell[1] <= step and cell not in labels for cell in state.cell_counts)
    groups_released = state.was_released(RECORDS, export_key(("", "", "")), step) or _any_export_at(state, step)
    if not missing and groups_released:
        return labels, step
    ledger = state.ledger(labels)
    new = label_new_steps(state.cell_counts, ledger, labels, step)
    if new is None:
        return labels, _last_exported_step(state)
    everything = labels | new
    campaign_id = campaign.id
    session.commit()
    try:
        with write_transaction(session):
            for (atom, cell_step), label in new.items():
                session.add(
                    ExportLabel(
                        campaign_id=campaign_id,
                        step=cell_step,
                        department=atom[0] or "",
                        role=atom[1] or "",
                        wave=atom[2] or "",
                        label_department=label[0],
                        label_role=label[1],
                        label_wave=label[2],
                    )
                )
            for label in export_groups(everything, step):
                session.add(
                    Release(
                        campaign_id=campaign_id,
                        channel=RECORDS,
                        group_key=export_key(label),
                        step=step,
                        released=True,
                        reason=None,
                    )
                )
    except IntegrityError:  # another export decided the same step at the same moment: use its labels
        session.rollback()
        return stored_labels(session, campaign_id), step
    return everything, step


def _any_export_at(state: ReleaseState, step: int) -> bool:
    return any(
        channel == RECORDS and key.startswith("export=") and step in steps
        for (channel, key), steps in state.released_steps.items()
    )


def _last_exported_step(state: ReleaseState) -> int | None:
    steps = [
        step
        for (channel, key), released in state.released_steps.items()
        if channel == RECORDS and key.startswith("export=")
        for step in released
    ]
    return max(steps, default=None)
