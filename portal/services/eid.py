"""DigiD through an OpenID Connect broker (issue 11): the identity check of art. 20.5 by eID.

Authlib is the client: the authorisation-code flow with PKCE (S256), `state` and
`nonce`; the broker's discovery document and its keys (JWKS) are fetched once and
cached (DIGID_CACHE_SECONDS), the keys fetched again once when a token names a key we
do not have (the broker rotated). The ID token is checked here: signature, issuer,
audience, expiry, nonce; the `iss` of the authorisation response too where the broker
sends it (RFC 9207, against mix-up). The level of assurance comes from the claim
DIGID_LOA_CLAIM (default `acr`) through the map of rules/eid.py.

What the flow keeps between the two legs (state, nonce, PKCE verifier, start time) is
held in the encrypted server-side draft, never in a cookie or URL. The BSN is never
logged: a failed attempt is logged with its reason only.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..infra.encrypted import bsn_index
from ..infra.extensions import db
from ..models import IdentityCheck
from ..rules import eid as rules

log = logging.getLogger("portal.eid")

PENDING_MAX_SECONDS = 600
ALGORITHMS = ["RS256", "PS256", "ES256"]

_cache: dict[str, tuple[float, dict, KeySet | None]] = {}
_lock = threading.Lock()


class EidError(Exception):
    """A DigiD login that did not give a usable result. ``code`` says why:
    unavailable, state, cancelled, refused, token, nonce, no_bsn, bsn_invalid."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    bsn_claim: str
    loa_claim: str
    acting_claim: str
    legal_claim: str
    loa_map: dict
    min_loa: str
    timeout: int
    cache_seconds: int


@dataclass(frozen=True)
class Result:
    bsn: str
    level: str | None
    acr: str | None
    broker: str
    at: str  # ISO time, UTC
    # DigiD Machtigen: the BSN of the person this login acts for; None without a machtiging.
    legal_bsn: str | None = None

    @property
    def sufficient(self) -> bool:
        return rules.reaches(self.level, current_app.config["DIGID_MIN_LOA"])


def settings() -> Settings | None:
    """The broker's settings, or None when DigiD is not configured (no DIGID_ISSUER)."""
    cfg = current_app.config
    if not cfg.get("DIGID_ISSUER"):
        return None
    min_loa = cfg.get("DIGID_MIN_LOA") or "substantieel"
    if min_loa not in rules.LEVELS:
        raise ValueError(f"DIGID_MIN_LOA must be one of {', '.join(rules.LEVELS)}")
    return Settings(
        issuer=cfg["DIGID_ISSUER"], client_id=cfg["DIGID_CLIENT_ID"], client_secret=cfg["DIGID_CLIENT_SECRET"],
        scopes=cfg.get("DIGID_SCOPES") or "openid", bsn_claim=cfg.get("DIGID_BSN_CLAIM") or "bsn",
        loa_claim=cfg.get("DIGID_LOA_CLAIM") or "acr",
        acting_claim=cfg.get("DIGID_ACTING_SUBJECT_CLAIM") or "urn:nl-eid-gdi:1.0:ActingSubjectID",
        legal_claim=cfg.get("DIGID_LEGAL_SUBJECT_CLAIM") or "urn:nl-eid-gdi:1.0:LegalSubjectID",
        loa_map=rules.parse_loa_map(cfg.get("DIGID_LOA_MAP")),
        min_loa=min_loa, timeout=int(cfg.get("DIGID_TIMEOUT_SECONDS") or 10),
        cache_seconds=int(cfg.get("DIGID_CACHE_SECONDS") or 3600),
    )


def enabled() -> bool:
    return bool(current_app.config.get("DIGID_ISSUER"))


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _get_json(url: str, timeout: int) -> dict:
    try:
        response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError):
        raise _fail("unavailable") from None


def metadata(s: Settings) -> dict:
    """The discovery document, cached; its issuer must be the configured one."""
    with _lock:
        hit = _cache.get(s.issuer)
        if hit and time.monotonic() - hit[0] < s.cache_seconds:
            return hit[1]
    meta = _get_json(f"{s.issuer}/.well-known/openid-configuration", s.timeout)
    if meta.get("issuer", "").rstrip("/") != s.issuer or not meta.get("authorization_endpoint") \
            or not meta.get("token_endpoint") or not meta.get("jwks_uri"):
        raise _fail("unavailable")
    with _lock:
        _cache[s.issuer] = (time.monotonic(), meta, None)
    return meta


def _keys(s: Settings, meta: dict, refresh: bool = False) -> KeySet:
    with _lock:
        hit = _cache.get(s.issuer)
        if hit and hit[2] is not None and not refresh:
            return hit[2]
    try:
        keys = KeySet.import_key_set(_get_json(meta["jwks_uri"], s.timeout))
    except (JoseError, ValueError, TypeError, KeyError):
        raise _fail("unavailable") from None
    with _lock:
        _cache[s.issuer] = (time.monotonic(), meta, keys)
    return keys


def _client(s: Settings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(s.client_id, s.client_secret, scope=s.scopes, redirect_uri=redirect_uri,
                         code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")


def begin(redirect_uri: str) -> tuple[str, dict]:
    """The address at the broker to send the person to, and what to keep until they
    come back (state, nonce, PKCE verifier, time). Raises EidError('unavailable').
    Every login is a fresh one (prompt=login; a DigiD broker passes it on as
    ForceAuthn): on a shared device the broker may still have the previous person's
    session, and an open session must not prove who the next user is, neither on the
    identity step, nor when joining, nor on the status page."""
    s = settings()
    meta = metadata(s)
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
               "verifier": generate_token(64), "started": time.time()}
    url, _state = _client(s, redirect_uri).create_authorization_url(
        meta["authorization_endpoint"], state=pending["state"], nonce=pending["nonce"],
        code_verifier=pending["verifier"], prompt="login")
    return url, pending


def logout_url(post_logout_redirect_uri: str) -> str | None:
    """The broker's own logout (OpenID Connect RP-initiated logout): its
    end_session_endpoint from discovery, with our client id and where to come back.
    Without id_token_hint: that would put the ID token, with the BSN, in an address
    (the browser's history, the broker's access log). None when the broker has no such
    endpoint or cannot be reached now."""
    s = settings()
    try:
        endpoint = metadata(s).get("end_session_endpoint") if s else None
    except EidError:
        return None
    if not endpoint:
        return None
    return f"{endpoint}?{urlencode({'client_id': s.client_id, 'post_logout_redirect_uri': post_logout_redirect_uri})}"


def _fail(code: str) -> EidError:
    log.warning("digid login failed: %s", code)
    return EidError(code)


def finish(pending: dict | None, args: dict, redirect_uri: str) -> Result:
    """Check the broker's answer and return who logged in at which level.

    Order matters: the state first (nothing is sent to the broker for an answer that
    is not ours), then the broker's error, then the code is exchanged (once: the broker
    refuses a replayed code), then the ID token is checked."""
    s = settings()
    if not pending or not args.get("state") or not secrets.compare_digest(str(args.get("state")), pending["state"]) \
            or time.time() - float(pending.get("started", 0)) > PENDING_MAX_SECONDS:
        raise _fail("state")
    if args.get("iss") and str(args["iss"]).rstrip("/") != s.issuer:
        raise _fail("token")  # an answer from another broker: mix-up
    if args.get("error"):
        raise _fail("cancelled" if args.get("error") in ("access_denied", "login_required") else "refused")
    if not args.get("code"):
        raise _fail("refused")
    meta = metadata(s)
    try:
        token = _client(s, redirect_uri).fetch_token(
            meta["token_endpoint"], grant_type="authorization_code", code=args["code"],
            code_verifier=pending["verifier"], timeout=s.timeout)
    except requests.RequestException:
        raise _fail("unavailable") from None
    except Exception:  # an OAuth error from the broker (invalid_grant: a replayed code)
        raise _fail("refused") from None
    claims = _id_token_claims(s, meta, token.get("id_token"), pending["nonce"])
    acr = claims.get(s.loa_claim)
    legal = None
    if claims.get(s.acting_claim):
        # DigiD Machtigen: the one who logged in acts for someone else. They prove their
        # own identity; whom they act for is kept, never taken as art. 20.3 proof.
        bsn, legal = str(claims[s.acting_claim]), str(claims.get(s.legal_claim) or "")
        if not rules.bsn_valid(legal):
            raise _fail("bsn_invalid")
    else:
        bsn = claims.get(s.bsn_claim)
        if not bsn:
            raise _fail("no_bsn")
        bsn = str(bsn)
    if not rules.bsn_valid(bsn):
        raise _fail("bsn_invalid")
    return Result(bsn=bsn, level=rules.level_of(acr, s.loa_map), acr=acr, broker=s.issuer,
                  at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(), legal_bsn=legal)


def _id_token_claims(s: Settings, meta: dict, id_token: str | None, nonce: str) -> dict:
    if not id_token:
        raise _fail("token")
    keys = _keys(s, meta)
    try:
        try:
            decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except JoseError:
            decoded = jwt.decode(id_token, _keys(s, meta, refresh=True), algorithms=ALGORITHMS)
        claims = decoded.claims
        jwt.JWTClaimsRegistry(
            leeway=60, iss={"essential": True, "value": s.issuer}, aud={"essential": True, "value": s.client_id},
            exp={"essential": True}, iat={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError):
        raise _fail("token") from None
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and claims.get("azp") != s.client_id:
        raise _fail("token")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
        raise _fail("nonce")
    return claims


# --- the record of the check (art. 20.5) ----------------------------------------------------

def record_check(req, party, eid_answers: dict) -> IdentityCheck:
    """At submission: the identity check of art. 20.5 done by eID, with the level, the
    time and the broker; the BSN from DigiD encrypted with the Vault."""
    vault = current_app.extensions["vault"]
    check = IdentityCheck(
        request_id=req.id, party_id=party.id, kind="identity", method="eid", document_kind="digid",
        name_matches=None, birth_date_matches=None, result="verified", checked_by=None,
        checked_at=datetime.fromisoformat(eid_answers["at"]).astimezone(timezone.utc).replace(tzinfo=None),
        loa=eid_answers["level"], broker=eid_answers["broker"],
        eid_bsn_ciphertext=vault.encrypt(eid_answers["bsn"].encode()),
        eid_bsn_index=bsn_index(current_app.config["BLIND_INDEX_KEY"], eid_answers["bsn"]),
        eid_legal_bsn_ciphertext=vault.encrypt(eid_answers["legal_bsn"].encode()) if eid_answers.get("legal_bsn") else None,
    )
    db.session.add(check)
    return check


def bsn_index_of(bsn: str) -> str | None:
    """The keyed blind index of a BSN from DigiD, as IdentityCheck.eid_bsn_index keeps it."""
    return bsn_index(current_app.config["BLIND_INDEX_KEY"], bsn)


def bsn_of(check: IdentityCheck) -> str | None:
    if check.eid_bsn_ciphertext is None:
        return None
    return current_app.extensions["vault"].decrypt(check.eid_bsn_ciphertext).decode()


def legal_bsn_of(check: IdentityCheck) -> str | None:
    """DigiD Machtigen: the BSN the login acted for, or None."""
    if check.eid_legal_bsn_ciphertext is None:
        return None
    return current_app.extensions["vault"].decrypt(check.eid_legal_bsn_ciphertext).decode()
