"""The Flask CLI: the same services the faces call."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask

from .extensions import db


def register(app: Flask) -> None:
    @app.cli.command("purge")
    def purge_cmd():
        """Remove unconfirmed requests and abandoned drafts (logged)."""
        from .services import purge

        n_req = purge.purge_unconfirmed()
        n_drafts = purge.purge_drafts()
        click.echo(f"purged: {n_req} unconfirmed requests, {n_drafts} drafts")

    @app.cli.command("demo-data")
    def demo_data_cmd():
        """Load the made-up demo requests from demo/requests.json (idempotent)."""
        from .demo import load_demo

        created = load_demo(Path(app.root_path).parent / "demo" / "requests.json")
        click.echo(f"demo data: {created} requests created")

    @app.cli.command("rotate-keys")
    def rotate_keys_cmd():
        """Re-encrypt every stored upload and draft under the first key of ENCRYPTION_KEYS."""
        from .services.keys import rotate_all

        n = rotate_all()
        click.echo(f"re-encrypted {n} items")

    audit_group = click.Group("audit", help="The access log (art. 7.5).")

    @audit_group.command("verify")
    def audit_verify_cmd():
        """Check the access log's HMAC chain; name the first altered, removed or reordered entry."""
        from .services.audit import verify_chain

        ok, bad = verify_chain()
        if not ok:
            raise click.ClickException(f"access log broken at entry {bad}")
        click.echo("access log intact")

    app.cli.add_command(audit_group)
