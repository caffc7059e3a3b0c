"""Staff accounts, their login and the authorisation matrix (art. 7).

One function per thing a person does; each runs in one transaction and writes its
access-log entry in that same transaction (portal/services/audit.py). Faces (the
back-office pages, `flask users ...`) call these and never change Staff rows themselves.

Each thing in its own module: ``login`` (the account holder: password, second factor and
its set-up, password change, logout), ``accounts`` (the functional administrator or the
command line: new accounts, resets, (de)activation, the confidentiality agreement),
``matrix`` (the authorisation matrix and who may do what) and ``demo`` (development
accounts); ``common`` holds what they share (the errors, who is acting, the hasher).

Passwords: argon2id (argon2-cffi's PasswordHasher, its current parameters; an older
hash is replaced at the next login). Second factor: TOTP (RFC 6238, 30-second steps,
one step either side), each time step accepted once per account; recovery codes as the
alternative, each usable once. Failed attempts (password and second factor) are
counted per account: after LOCK_AFTER the account is locked for LOCK_FIRST, twice as
long for every further failure. Unknown account, wrong password and locked account
give the same answer, after the same amount of work.

Who may do what: administrative services take `by`, the Actor doing it, and ask the
matrix (authz.require). `CLI` stands for the operator at the server's command line
(`flask users ...`): whoever can run that can change the database anyway.
"""
from __future__ import annotations

from ..contents import lookup

#: Where each name lives. The faces and the CLI may use ``staff.name``; the modules
#: of the service layer import the submodule itself, so nothing here can make a cycle.
CONTENTS = {
    "PASSWORD_MIN": "common",
    "PASSWORD_MAX": "common",
    "password_hasher": "common",
    "StaffError": "common",
    "LoginFailed": "common",
    "SecondFactorFailed": "common",
    "PasswordRejected": "common",
    "AccountError": "common",
    "Operator": "common",
    "CLI": "common",
    "By": "common",
    "who": "common",
    "require": "common",
    "load_account": "common",
    "by_username": "common",
    "normalise_username": "common",
    "new_password": "common",
    "new_recovery_code": "common",
    "hash_password": "common",
    "vault": "common",
    "totp_secret": "common",
    "password_problem": "common",
    "bump_epoch": "common",
    "LOCK_AFTER": "login",
    "LOCK_FIRST": "login",
    "LOCK_MAX": "login",
    "TOTP_STEP": "login",
    "TOTP_WINDOW": "login",
    "RECOVERY_CODES": "login",
    "provisioning_uri": "login",
    "lock_duration": "login",
    "authenticate": "login",
    "matching_step": "login",
    "verify_totp": "login",
    "verify_recovery_code": "login",
    "recovery_codes_left": "login",
    "begin_totp_setup": "login",
    "confirm_totp_setup": "login",
    "logout": "login",
    "change_password": "login",
    "USERNAME_MAX": "accounts",
    "NAME_MAX": "accounts",
    "EMAIL_MAX": "accounts",
    "checked_email": "accounts",
    "set_email": "accounts",
    "without_email": "accounts",
    "list_staff": "accounts",
    "get_staff": "accounts",
    "names": "accounts",
    "create_staff": "accounts",
    "reset_password": "accounts",
    "reset_second_factor": "accounts",
    "set_active": "accounts",
    "record_confidentiality": "accounts",
    "LOCKED_GRANTS": "matrix",
    "grantable": "matrix",
    "locked_cell": "matrix",
    "read_matrix": "matrix",
    "save_matrix": "matrix",
    "Holder": "matrix",
    "overview": "matrix",
    "Deputy": "matrix",
    "deputies": "matrix",
    "grant_deputy": "matrix",
    "revoke_deputy": "matrix",
    "DEMO_PASSWORD_SUFFIX": "demo",
    "DemoAccount": "demo",
    "create_demo_accounts": "demo",
    "utcnow": "accounts",  # models.utcnow, for the admin page (backoffice/admin.py)
}

__getattr__ = lookup(__name__, CONTENTS)
