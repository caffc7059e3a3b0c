"""Drafts: a request being filled in, one page at a time.

The answers are kept server-side and encrypted; the browser's session holds only the
draft's random id. Uploads are checked and encrypted when they arrive and stay with
the draft until the request is submitted, in the same transaction (no orphan files).
Drafts not touched for DRAFT_PURGE_HOURS are purged (services/purge.py).
"""
from __future__ import annotations

import json
import secrets

from flask import current_app

from ..infra.extensions import db
from ..models import Draft, DraftUpload, utcnow
from ..documents.uploads import CleanUpload


def _vault():
    return current_app.extensions["vault"]


def load(draft_id: str | None) -> tuple[Draft | None, dict]:
    if not draft_id:
        return None, {}
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        return None, {}
    return draft, json.loads(_vault().decrypt(draft.ciphertext))


def save(draft_id: str | None, answers: dict) -> str:
    """Store the answers; create the draft when there is none yet. Commits."""
    blob = _vault().encrypt(json.dumps(answers).encode())
    draft = db.session.get(Draft, draft_id) if draft_id else None
    if draft is None:
        draft = Draft(id=secrets.token_urlsafe(32), ciphertext=blob)
        db.session.add(draft)
    else:
        draft.ciphertext = blob
        draft.updated_at = utcnow()
    db.session.commit()
    return draft.id


def save_with_upload(draft_id: str | None, answers: dict, slot: str, upload: CleanUpload | None) -> str:
    """Store the answers and put (or, with None, remove) the upload in one transaction."""
    blob = _vault().encrypt(json.dumps(answers).encode())
    draft = db.session.get(Draft, draft_id) if draft_id else None
    if draft is None:
        draft = Draft(id=secrets.token_urlsafe(32), ciphertext=blob)
        db.session.add(draft)
        db.session.flush()
    else:
        draft.ciphertext = blob
        draft.updated_at = utcnow()
    existing = db.session.execute(
        db.select(DraftUpload).filter_by(draft_id=draft.id, slot=slot)
    ).scalar_one_or_none()
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    if upload is not None:
        db.session.add(DraftUpload(
            draft_id=draft.id, slot=slot, content_type=upload.content_type, size=upload.size,
            sha256=upload.sha256, ciphertext=_vault().encrypt(upload.content),
        ))
    db.session.commit()
    return draft.id


def upload_slots(draft_id: str | None) -> dict[str, DraftUpload]:
    if not draft_id:
        return {}
    rows = db.session.execute(db.select(DraftUpload).filter_by(draft_id=draft_id)).scalars()
    return {u.slot: u for u in rows}


def discard(draft_id: str | None) -> None:
    if not draft_id:
        return
    draft = db.session.get(Draft, draft_id)
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()
