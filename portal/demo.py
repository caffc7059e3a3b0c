"""Demo data for `make run`: made-up requests filed through the same service as the
public face. Only for the development database; production refuses to load it."""
from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path

from flask import current_app

from .infra.extensions import db
from .models import Request
from .services import requests as svc


def load_demo(path: Path) -> int:
    if current_app.config["ENV_NAME"] == "production":
        raise RuntimeError("demo data is never loaded in production")
    if db.session.execute(db.select(Request.id).limit(1)).first():
        return 0  # idempotent: the database already has requests
    data = json.loads(path.read_text(encoding="utf-8"))
    created = 0
    today = svc.today_local()
    for answers in data["requests"]:
        subject = answers.get("subject") or {}
        if "age_in_years" in subject:
            # Children are given by age, so the demo never ages out of its art. 20 route.
            subject["birth_date"] = date(today.year - subject.pop("age_in_years"), 6, 2).isoformat()
        svc.submit_request(answers, None, lang="nl", starter_session=secrets.token_urlsafe(8))
        created += 1
    return created
