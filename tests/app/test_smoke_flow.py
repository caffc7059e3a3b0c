"""A first walk through the public flow: art. 14 inzage for oneself, confirmed by e-mail."""
from portal.infra.extensions import db
from portal.models import Request

from .filing import Filer, Filing


def test_art14_access_request_for_myself_reaches_the_queue_after_email_confirmation(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    assert sub.passphrase is None
    [msg] = mailbox.wait_for(1)
    link = mailbox.link(msg)
    path = link.split("portal.test", 1)[1]
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        assert req.status == "awaiting_email"
    f = Filer(client)
    resp = f.post(path, {})
    assert resp.status_code == 200
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        assert req.status == "received"
