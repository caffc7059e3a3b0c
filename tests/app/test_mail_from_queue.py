"""Issue 13, finding 5: every e-mail leaves through the job queue after the commit, and
"send me a status link" does the same work whether or not the (reference, e-mail)
pair is right. The work is counted, not timed: the SQL statements the request itself
runs (a SQLAlchemy listener; statements of a job that runs inline in the tests'
immediate mode are the worker's, not the request's) and the jobs it enqueues (Huey's
own signals)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from huey import signals as S
from sqlalchemy import event

from portal.infra import jobs
from portal.infra.extensions import db
from portal.models import AuditEvent

from .filing import Filer, Filing
from .support import any_csrf, dbs, path_of


@dataclass
class Work:
    statements: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    job_args: list[tuple] = field(default_factory=list)
    worker_statements: int = 0
    seen_at_job_start: list = field(default_factory=list)


@contextmanager
def counted(app, probe=None):
    """Count what the request does, apart from what the jobs it enqueues do; ``probe``
    (a SQL text) is run on a connection of its own as each job starts."""
    work = Work()
    depth = [0]
    with app.app_context():
        engine = db.engine

    def on_sql(_conn, _cursor, statement, *_):
        if depth[0]:
            work.worker_statements += 1
        else:
            work.statements.append(" ".join(statement.split()))

    def on_enqueued(_signal, task, *_):
        work.jobs.append(task.name)
        work.job_args.append(task.args)

    def on_start(_signal, _task, *_):
        depth[0] += 1
        if probe is not None:
            with engine.connect() as conn:
                work.seen_at_job_start.append(conn.execute(db.text(probe)).scalar_one())

    def on_end(_signal, _task, *_):
        depth[0] -= 1

    event.listen(engine, "before_cursor_execute", on_sql)
    jobs.huey.signal(S.SIGNAL_ENQUEUED)(on_enqueued)
    jobs.huey.signal(S.SIGNAL_EXECUTING)(on_start)
    jobs.huey.signal(S.SIGNAL_COMPLETE, S.SIGNAL_ERROR)(on_end)
    try:
        yield work
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
        jobs.huey.disconnect_signal(on_enqueued, S.SIGNAL_ENQUEUED)
        jobs.huey.disconnect_signal(on_start, S.SIGNAL_EXECUTING)
        jobs.huey.disconnect_signal(on_end, S.SIGNAL_COMPLETE, S.SIGNAL_ERROR)


def _confirmed_request(client, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    [msg] = mailbox.wait_for(1)
    Filer(client).post(path_of(mailbox.link(msg)), {})
    return sub


def _ask(app, reference: str, email: str, work_of):
    browser = app.test_client()
    token = any_csrf(browser.get("/volgen").get_data(as_text=True))
    with work_of(app) as work:
        resp = browser.post("/volgen/link", data={"csrf_token": token, "l-reference": reference, "l-email": email})
    assert resp.status_code == 200
    return work, resp.get_data(as_text=True)


def test_t5_a_status_link_request_does_the_same_work_for_a_right_and_a_wrong_pair(client, app, mailbox):
    sub = _confirmed_request(client, mailbox)
    before = len(mailbox.messages)
    right, right_page = _ask(app, sub.reference, "sanne@example.org", counted)
    assert len(mailbox.wait_for(before + 1)) == before + 1  # the worker mailed the link
    wrong_mail, wrong_mail_page = _ask(app, sub.reference, "iemand.anders@example.org", counted)
    wrong_ref, wrong_ref_page = _ask(app, "VT-AAAA-BBBB-CCCC", "sanne@example.org", counted)
    assert len(mailbox.messages) == before + 1  # no link for a wrong pair
    # The request: the same statements (none: it does not look anything up) and the
    # same one job, whatever the pair; only the worker's share differs.
    assert right.statements == wrong_mail.statements == wrong_ref.statements == []
    assert right.jobs == wrong_mail.jobs == wrong_ref.jobs == ["send_status_links"]
    assert right.worker_statements > 0
    assert right_page == wrong_mail_page == wrong_ref_page
    # What waits in the queue is sealed: not the reference, not the address.
    for args in right.job_args + wrong_mail.job_args:
        assert sub.reference not in str(args) and "example.org" not in str(args)
    with dbs(app) as s:
        assert len(s.execute(db.select(AuditEvent).filter_by(action="status.link_sent")).scalars().all()) == 1


def test_t5_the_confirmation_mail_is_sent_by_the_worker_after_the_commit(client, app, mailbox):
    with counted(app, probe="SELECT count(*) FROM request") as work:
        Filer(client).fill(Filing()).submit()
    assert work.jobs.count("send_mail") == 1
    assert "sanne@example.org" not in str(work.job_args)
    # When the job started, another connection already saw the stored request: the
    # e-mail left after the commit, never for a request that could still roll back.
    assert work.seen_at_job_start == [1]
    [msg] = mailbox.wait_for(1)
    assert msg["To"] == "sanne@example.org"


def test_t5_notices_from_staff_actions_go_through_the_queue(app, mailbox):
    """notices.send hands each neutral notice to the queue (sealed)."""
    from portal.services import notices

    with app.test_request_context():
        with counted(app) as work:
            result = notices.send(["sanne@example.org", "mila@example.org"], "nl")
    assert result.sent == 2 and work.jobs == ["send_mail", "send_mail"] and work.statements == []
    assert "example.org" not in str(work.job_args)
    assert sorted(str(m["To"]) for m in mailbox.wait_for(2)) == ["mila@example.org", "sanne@example.org"]
