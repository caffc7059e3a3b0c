"""Flask extensions, created once and bound in create_app()."""
from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))


@event.listens_for(Engine, "connect")
def _sqlite_secure_delete(dbapi_connection, _record) -> None:
    """SQLite keeps deleted or overwritten text in free pages of the file until they are
    reused. Destruction and erasure (art. 17, 18) must leave nothing: with secure_delete
    SQLite overwrites freed content with zeros. (PostgreSQL: dead rows are removed by
    VACUUM, see portal/services/destruction/__init__.py.)"""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()


def select_locale() -> str:
    """The language the person chose (kept in the session), else Dutch."""
    from flask import current_app, has_request_context

    # Outside a request (a job or the CLI rendering an e-mail) there is no session.
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]
