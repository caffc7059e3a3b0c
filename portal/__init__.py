"""The Veilig Thuis rights portal: create_app() builds the public face and the back office."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import config as config_module
from .infra.extensions import babel, csrf, db, limiter, login_manager, migrate, select_locale


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config_module.INSTANCE), instance_relative_config=False)
    app.config.update(config_module.load(overrides))
    app.jinja_env.add_extension("jinja2.ext.do")
    config_module.INSTANCE.mkdir(parents=True, exist_ok=True)
    _configure_logging(app)

    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a TLS-terminating proxy: trust exactly that many hops for the client
        # address (rate limits) and the scheme (secure cookies, CSRF referrer check).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"

    from .infra.crypto import Vault

    app.extensions["vault"] = Vault(app.config["ENCRYPTION_KEYS"])

    from .public import bp as public_bp
    from backoffice import bp as backoffice_bp

    from .public.health import bp as health_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(backoffice_bp, url_prefix="/backoffice")
    app.register_blueprint(health_bp)
    csrf.exempt(health_bp)

    from .cli import register as register_cli

    register_cli(app)
    from .labels import register as register_labels

    register_labels(app)
    from .young import register as register_young

    register_young(app)
    _security_headers(app)
    _error_pages(app)

    @app.context_processor
    def inject_globals():
        return {
            "current_lang": select_locale(),
            "quick_exit_url": app.config["QUICK_EXIT_URL"],
            "org_name": app.config["ORGANISATION_NAME"],
            "org_phone": app.config["ORGANISATION_PHONE"],
        }

    # Every area's background jobs: registered with the queue, and connected to the
    # signals their services send after a commit (portal/services/signals.py).
    from .infra import health  # noqa: F401  (the consumer's heartbeat job and failure counter)
    from .services import tasks as housekeeping_tasks  # noqa: F401
    from .services.copies import tasks as copy_tasks  # noqa: F401

    if app.config.get("HUEY_IMMEDIATE"):
        # Jobs run at once, in the caller's app context (tests; a demo without a consumer).
        from .infra import jobs

        jobs.huey.immediate = True
    return app


def _configure_logging(app: Flask) -> None:
    # Never log request bodies or query strings: they may hold personal data.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.logger.setLevel(logging.INFO)
    from .infra import request_log

    request_log.install(app)  # one JSON line per request, without personal data


def _security_headers(app: Flask) -> None:
    """CSP without inline script, HSTS, no framing, no caching of personal pages."""

    @app.after_request
    def _headers(resp):
        h = resp.headers
        h.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        # same-origin: nothing leaks to other sites, and CSRF's HTTPS referrer check still works.
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["ENV_NAME"] == "production":
            h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if request.endpoint != "static":
            # Any page may hold personal data: never stored by the browser or a proxy.
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        return resp


def _error_pages(app: Flask) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc):
        limit_mb = app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
        return render_template("public/error.html", code=413,
                               title=_("Het bestand is te groot"),
                               message=_("Een bestand mag niet groter zijn dan %(mb)s MB. Ga terug en kies een kleiner bestand.", mb=limit_mb)), 413

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            return render_template("public/error.html", code=400,
                                   title=_("De pagina is verlopen"),
                                   message=_("Uw sessie is verlopen of het formulier was niet meer geldig. Ga terug, laad de pagina opnieuw en probeer het nog een keer.")), 400
        titles = {
            404: _("Deze pagina bestaat niet"),
            429: _("Even wachten"),
        }
        messages = {
            404: _("Controleer het adres, of ga naar de startpagina."),
            429: _("U heeft dit te vaak geprobeerd. Om uw gegevens te beschermen kunt u het pas over een uur opnieuw proberen."),
        }
        return render_template("public/error.html", code=exc.code,
                               title=titles.get(exc.code, _("Er ging iets mis")),
                               message=messages.get(exc.code, _("Probeer het later opnieuw, of bel ons."))), exc.code
