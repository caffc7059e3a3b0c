"""The Flask CLI: the same services the faces call."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask

from .infra.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("purge")
    def purge_cmd():
        """Remove unconfirmed requests and abandoned drafts; tell the starter of a joint
        request whose invitation expired unused (logged)."""
        from .services import joint, purge

        n_req = purge.purge_unconfirmed()
        n_drafts = purge.purge_drafts()
        n_expired = joint.expire_invitations()
        click.echo(f"purged: {n_req} unconfirmed requests, {n_drafts} drafts; {n_expired} expired invitations")

    @app.cli.command("demo-data")
    def demo_data_cmd():
        """Load the made-up demo requests from demo/requests.json (idempotent)."""
        from .demo import load_demo

        created = load_demo(Path(app.root_path).parent / "demo" / "requests.json")
        click.echo(f"demo data: {created} requests created")

    @app.cli.command("rotate-keys")
    @click.option("--check", is_flag=True, help="Only open every encrypted value; name those that do not open.")
    @click.option("--reindex", is_flag=True, help="Recompute the blind indexes with the current BLIND_INDEX_KEY.")
    def rotate_keys_cmd(check, reindex):
        """Re-encrypt every encrypted file and personal field under the first key of
        ENCRYPTION_KEYS (resumable); with --check, open everything and report the rows
        that do not open, by table and id."""
        from .services import keys

        if reindex:
            click.echo(f"recomputed the blind indexes of {keys.reindex_all()} rows")
            return
        if check:
            opened, problems = keys.check_all()
        else:
            opened, problems = keys.rotate_all()
            click.echo(f"re-encrypted {opened} items")
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} encrypted values do not open with ENCRYPTION_KEYS"
                                       " (table and id above)")
        if check:
            click.echo(f"every encrypted value opens ({opened} values)")

    audit_group = click.Group("audit", help="The access log (art. 7.5).")

    @audit_group.command("verify")
    def audit_verify_cmd():
        """Check the access log's HMAC chain and hold it against the signed checkpoints:
        name an altered, removed or reordered entry, entries cut from the end, a table
        emptied or replaced by an older copy."""
        from .services.audit import verify

        result = verify()
        if not result.intact:
            raise click.ClickException("\n".join(result.problems))
        if result.newest is None:
            click.echo(f"access log intact: {result.count} entries (no checkpoint yet: the end is not anchored)")
        else:
            click.echo(f"access log intact: {result.count} entries; the newest checkpoint ({result.newest.at}) "
                       f"counted {result.newest.count}")

    @audit_group.command("checkpoint")
    def audit_checkpoint_cmd():
        """Append a signed checkpoint of the access log's end now (the job does this every 5 minutes)."""
        from .services.audit import checkpoint

        cp = checkpoint(force=True)
        click.echo("checkpoint written" if cp else "checkpoint up to date")

    app.cli.add_command(audit_group)

    backup_group = click.Group("backup", help="Backups of the database (README, 'Backup and restore').")

    @backup_group.command("create")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def backup_create_cmd(path):
        """pg_dump of DATABASE_URL to PATH: one consistent snapshot. Keep the keys apart from it."""
        from .infra import backup

        try:
            backup.dump(app.config["SQLALCHEMY_DATABASE_URI"], path)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"backup written: {path} (it needs ENCRYPTION_KEYS and AUDIT_HMAC_KEY, kept elsewhere)")

    @backup_group.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def backup_restore_cmd(path):
        """Restore PATH into DATABASE_URL, which must be empty; then migrate and verify the access log."""
        from flask_migrate import upgrade

        from .infra import backup
        from .services.audit import verify_chain

        try:
            backup.restore(app.config["SQLALCHEMY_DATABASE_URI"], path)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        from .infra import journal
        from .infra.extensions import db as _db
        from .models import RegistrationInstruction

        with app.app_context():
            upgrade()
            ok, bad = verify_chain()
            held = set(_db.session.execute(_db.select(RegistrationInstruction.id, RegistrationInstruction.kind,
                                                      RegistrationInstruction.dossier_ref)).all())
            lost = [e for e in journal.read() if (e.get("instruction"), e.get("kind"), e.get("dossier")) not in held]
        if not ok:
            raise click.ClickException(f"restored, but the access log is broken at entry {bad}")
        click.echo("restored; migrated; access log intact")
        if lost:
            for e in lost:
                click.echo(f"  lost with the restore: {e['kind']} of dossier {e['dossier']}"
                           f"{' person ' + e['person'] if e.get('person') else ''} on {e['at'][:10]}"
                           f" (instruction {e['instruction']}; entries {', '.join(e.get('entries') or []) or '-'})")
            raise click.ClickException(
                f"{len(lost)} destruction(s) or erasure(s) after this backup are not in it: the data are back. "
                "Carry each out again before opening the portal (README, 'Backup and restore').")

    app.cli.add_command(backup_group)

    from flask.cli import AppGroup

    # An AppGroup: its commands run inside the app context (also through app.test_cli_runner()).
    digest_group = AppGroup("digest", help="The daily digest of overdue and nearly due requests.")

    @digest_group.command("send")
    def digest_send_cmd():
        """Send today's digest now (the Huey job does this every day at 07:00)."""
        from .services.queue import send_digest

        result = send_digest()
        click.echo(f"digest: {result.sent} sent, {result.failed} failed, {result.without_address} without an e-mail address")

    app.cli.add_command(digest_group)
    app.cli.add_command(_users_group())
    app.cli.add_command(_dossier_group())
    app.cli.add_command(_afschrift_group())


def _afschrift_group():
    """`flask afschrift ...`: copies (art. 14), through portal/services/copies/."""
    from flask.cli import AppGroup

    from .services import copies

    group = AppGroup("afschrift", help="Copies of a dossier (afschrift, art. 14).")

    @group.command("draft")
    @click.option("--dossier", "dossier_id", required=True, help="The dossier_id of the export (VT-2025-000417).")
    @click.option("--person", "person_id", required=True, help="The person's id in the export (p1).")
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="Where to write the PDF.")
    @click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
    def draft(dossier_id, person_id, out, language):
        """Write the automatically redacted draft copy for one subject of an imported
        dossier: the code path of the back office (selection art. 13, redaction art. 14.2,
        the detector, the copy PDF). Attachments are left out: nobody reviewed them."""
        try:
            pdf = copies.draft_pdf(dossier_id, person_id, language=language)
        except copies.CopyError as exc:
            raise click.ClickException({
                "dossier_not_found": f"no imported dossier {dossier_id!r}",
                "person_not_found": f"dossier {dossier_id!r} has no person {person_id!r}",
                "not_a_subject": f"{person_id!r} is not a subject of the dossier: a copy is made for a subject",
            }.get(exc.code, exc.code)) from None
        Path(out).write_bytes(pdf)
        click.echo(f"draft copy written: {out} ({len(pdf)} bytes)")

    return group


def _dossier_group():
    """`flask dossier ...`: dossiers exported by the registration system (vt-dossier/1)."""
    from flask.cli import AppGroup

    from .services import dossiers as svc

    group = AppGroup("dossier", help="Dossiers exported by the registration system (vt-dossier/1).")

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, file_okay=True, dir_okay=True))
    def dossier_import(path):
        """Import an export (a folder with dossier.json and attachments/, or a .zip). A bad
        export is refused whole; the same export again changes nothing; a newer one
        replaces the stored dossier; an older one is refused."""
        try:
            result = svc.import_path(svc.CLI, path)
        except svc.ImportRefused as exc:
            lines = "\n".join(f"  {p.describe()}" for p in exc.problems)
            raise click.ClickException(f"refused, nothing stored:\n{lines}") from None
        if result.outcome == "unchanged":
            click.echo(f"unchanged: {result.dossier_id} is already stored with this content (sha256 {result.content_hash})")
            return
        counts = ", ".join(f"{k} +{v['added']} ~{v['changed']} -{v['removed']}" for k, v in result.counts.items())
        click.echo(f"{result.outcome}: {result.dossier_id} ({counts}; sha256 {result.content_hash})")

    @group.command("outcome-letter")
    @click.argument("dossier_id")
    @click.option("--person", "person_id", required=True, help="The person's id in the export (p1).")
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="Where to write the PDF.")
    @click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
    def dossier_outcome_letter(dossier_id, person_id, out, language):
        """Write the letter that tells a person of a dossier whose report was refuted the
        outcome and their right to ask for destruction (art. 17.3). Logged."""
        from .services import destruction
        from .services.staff import CLI

        try:
            pdf = destruction.outcome_letter(CLI, dossier_id, person_id, language=language)
        except destruction.DestructionError as exc:
            raise click.ClickException({
                "dossier_not_found": f"no imported dossier {dossier_id!r}",
                "person_not_found": f"dossier {dossier_id!r} has no person {person_id!r}",
                "not_a_subject": f"{person_id!r} is not a subject of the dossier: the letter goes to a household member",
                "not_refuted": f"the outcome of dossier {dossier_id!r} is not 'refuted': no art. 17.3 letter",
            }.get(exc.code, exc.code)) from None
        Path(out).write_bytes(pdf)
        click.echo(f"outcome letter written: {out} ({len(pdf)} bytes)")

    return group


def _users_group():
    """`flask users ...`: staff accounts (art. 7), through portal/services/staff/."""
    import sys

    from flask.cli import AppGroup

    from .rules.permissions import Role
    from .services import staff as svc

    users = AppGroup("users", help="Staff accounts of the back office (art. 7).")

    def find(username: str):
        found = svc.by_username(username)
        if found is None:
            raise click.ClickException(f"no account named {username!r}")
        return found

    @users.command("create")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--name", "display_name", required=True, help="Display name.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of making a one-time one.")
    @click.option("--email", default=None, help="Work e-mail address (the daily digest goes there).")
    def users_create(username, role, display_name, password_stdin, email):
        """Create an account; prints a one-time password unless --password-stdin."""
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        try:
            staff, one_time = svc.create_staff(svc.CLI, username, display_name, role, password=password, email=email)
        except svc.StaffError as exc:
            raise click.ClickException(f"not created: {exc.code}") from None
        click.echo(f"created {staff.username} ({staff.role})")
        if one_time:
            click.echo(f"one-time password (shown once; to be replaced at the first login): {one_time}")
        click.echo(f"next: flask users record-confidentiality {staff.username} --by ADMIN_USERNAME")

    @users.command("list")
    def users_list():
        """List every account: role, active, second factor, confidentiality (art. 7.3)."""
        people = svc.list_staff(svc.CLI)
        names = svc.names(p.confidentiality_recorded_by for p in people)
        for p in people:
            recorded = (f"confidentiality {p.confidentiality_recorded_at:%Y-%m-%d %H:%M}Z by "
                        f"{names.get(p.confidentiality_recorded_by, '?')}") if p.confidentiality_recorded_at else "NO confidentiality agreement recorded"
            click.echo(f"{p.username}\t{p.role}\t{'active' if p.active else 'inactive'}\t"
                       f"{'2fa' if p.totp_confirmed_at else 'no 2fa'}\t{recorded}\t{p.email or 'NO e-mail'}\t"
                       f"{p.display_name}")
        missing = [p.username for p in people if p.active and not p.email]
        if missing:
            click.echo(f"without an e-mail address (the daily digest cannot reach them): {', '.join(missing)}")

    @users.command("set-email")
    @click.argument("username")
    @click.argument("address")
    def users_set_email(username, address):
        """Set the work e-mail address the daily digest goes to ("" clears it)."""
        try:
            staff = svc.set_email(svc.CLI, find(username).id, address)
        except svc.StaffError as exc:
            raise click.ClickException(f"not set: {exc.code}") from None
        click.echo(f"e-mail address of {username}: {staff.email}" if staff.email else f"e-mail address of {username} cleared")

    @users.command("reset-2fa")
    @click.argument("username")
    def users_reset_2fa(username):
        """Clear the second factor and recovery codes; every session of the account ends."""
        svc.reset_second_factor(svc.CLI, find(username).id)
        click.echo(f"second factor of {username} cleared; it is set up again at the next login")

    @users.command("reset-password")
    @click.argument("username")
    def users_reset_password(username):
        """Make a new one-time password (and lift a lock); every session ends."""
        click.echo(f"one-time password for {username}: {svc.reset_password(svc.CLI, find(username).id)}")

    @users.command("record-confidentiality")
    @click.argument("username")
    @click.option("--by", "by_username", required=True, help="The administrator who recorded the agreement.")
    def users_record_confidentiality(username, by_username):
        """Art. 7.3: record the confidentiality agreement (who recorded it, and when)."""
        try:
            staff = svc.record_confidentiality(svc.CLI, find(username).id, recorded_by=find(by_username).id)
        except svc.StaffError as exc:
            raise click.ClickException(f"not recorded: {exc.code}") from None
        click.echo(f"confidentiality agreement of {username} recorded by {by_username} "
                   f"at {staff.confidentiality_recorded_at:%Y-%m-%d %H:%M:%S}Z")

    @users.command("demo")
    def users_demo():
        """Demo accounts, one per role (development database only)."""
        import pyotp

        try:
            accounts = svc.create_demo_accounts()
        except svc.StaffError:
            raise click.ClickException("demo accounts are made only when ENV_NAME is development") from None
        click.echo("Demo accounts for http://127.0.0.1:5000/backoffice/login (made-up, demo database only):")
        for a in accounts:
            click.echo(f"  {a.role.value:17} user {a.username:22} password {a.password}")
            click.echo(f"  {'':17} TOTP secret {a.totp_secret} (now: {pyotp.TOTP(a.totp_secret).now()};"
                       f" add it to an authenticator app, or: .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{a.totp_secret}').now())\")")

    return users
