"""DigiD through a broker (art. 20.5, issue 11): the level map, the BSN, and the ID-token
checks that the stand-in broker cannot be made to get wrong (an expired token, a token
signed with another key, another issuer or audience), with tokens signed here."""
from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from portal.rules import eid as rules
from portal.services import eid

ISSUER = "https://broker.example"
CLIENT = "vt-portal"
NONCE = "n-0S6_WzA2Mj"


def test_art20_5_default_map_is_digids_saml_classes_in_order():
    m = rules.parse_loa_map("")
    ac = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
    assert [rules.level_of(ac + c, m) for c in ("PasswordProtectedTransport", "MobileTwoFactorContract",
                                                 "Smartcard", "SmartcardPKI")] == list(rules.LEVELS)
    assert rules.level_of("urn:something:else", m) is None
    assert rules.level_of(None, m) is None


def test_art20_5_loa_map_from_the_environment_and_bad_entries_refused():
    m = rules.parse_loa_map("urn:etoegang:core:assurance-class:loa3=substantieel, Smartcard=hoog")
    assert rules.level_of("urn:etoegang:core:assurance-class:loa3", m) == "substantieel"
    assert rules.level_of("urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard", m) == "hoog"
    with pytest.raises(ValueError):
        rules.parse_loa_map("loa3=heel-hoog")


def test_art20_5_minimum_level():
    assert rules.reaches("substantieel", "substantieel") and rules.reaches("hoog", "substantieel")
    assert not rules.reaches("midden", "substantieel") and not rules.reaches(None, "basis")


def test_art20_5_bsn_11_test_and_mask():
    assert rules.bsn_valid("999993653") and not rules.bsn_valid("123456789")
    assert not rules.bsn_valid("99999365") and not rules.bsn_valid("99999365x") and not rules.bsn_valid(None)
    assert rules.mask_bsn("999993653") == "******653"


# --- the ID token --------------------------------------------------------------------------------

@pytest.fixture
def broker(monkeypatch):
    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
    public = KeySet([RSAKey.import_key(key.as_dict(private=False))])
    s = eid.Settings(issuer=ISSUER, client_id=CLIENT, client_secret="x", scopes="openid", bsn_claim="bsn",
                     loa_claim="acr", acting_claim="urn:nl-eid-gdi:1.0:ActingSubjectID",
                     legal_claim="urn:nl-eid-gdi:1.0:LegalSubjectID", loa_map=rules.parse_loa_map(""), min_loa="substantieel", timeout=1,
                     cache_seconds=60)
    meta = {"issuer": ISSUER, "jwks_uri": ISSUER + "/jwks"}
    eid.clear_cache()
    eid._cache[ISSUER] = (time.monotonic(), meta, public)
    # A key we do not have makes the service fetch the keys once more: the same public keys.
    monkeypatch.setattr(eid, "_get_json", lambda url, timeout: public.as_dict(private=False))
    yield s, meta, key
    eid.clear_cache()


def _token(key, **over):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "x", "iat": now, "exp": now + 300, "nonce": NONCE,
              "bsn": "999993653", "acr": "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard", **over}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _check(broker, token, nonce=NONCE):
    s, meta, _key = broker
    return eid._id_token_claims(s, meta, token, nonce)


def test_art20_5_a_good_id_token_passes(broker):
    assert _check(broker, _token(broker[2]))["bsn"] == "999993653"


@pytest.mark.parametrize("over, code", [
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "token"),  # expired
    ({"iss": "https://another-broker.example"}, "token"),  # mix-up: another issuer
    ({"aud": "another-client"}, "token"),  # meant for someone else
    ({"aud": [CLIENT, "another-client"]}, "token"),  # several audiences and no azp of ours
    ({"nonce": "another"}, "nonce"),
    ({"nonce": None}, "nonce"),
])
def test_art20_5_id_token_refused(broker, over, code):
    with pytest.raises(eid.EidError) as exc:
        _check(broker, _token(broker[2], **over))
    assert exc.value.code == code


def test_art20_5_id_token_signed_with_another_key_is_refused(broker):
    other = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    with pytest.raises(eid.EidError) as exc:
        _check(broker, _token(other))
    assert exc.value.code == "token"


def test_art20_5_id_token_unsigned_is_refused(broker):
    s, meta, key = broker
    good = _token(key)
    header, payload, _sig = good.split(".")
    import base64
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    with pytest.raises(eid.EidError):
        eid._id_token_claims(s, meta, f"{none_header}.{payload}.", NONCE)


def test_art20_5_digid_settings_that_cannot_work_stop_the_start():
    from portal.config import ConfigError, load

    good = {"DIGID_ISSUER": "https://broker.example", "DIGID_CLIENT_ID": "vt", "DIGID_CLIENT_SECRET": "s"}
    assert load(good)["DIGID_MIN_LOA"] == "substantieel"
    for bad in ({"DIGID_MIN_LOA": "heel-hoog"}, {"DIGID_LOA_MAP": "Smartcard=top"}, {"DIGID_CLIENT_ID": ""}):
        with pytest.raises(ConfigError):
            load({**good, **bad})
    assert load({"DIGID_ISSUER": ""})["DIGID_ISSUER"] == ""  # no DigiD: nothing checked


@pytest.mark.parametrize("change, fragment", [
    ({"DIGID_ISSUER": "http://broker.example"}, "DIGID_ISSUER must start with https"),
    ({"DIGID_CLIENT_SECRET": ""}, "DIGID_CLIENT_SECRET"),
    ({"DIGID_MIN_LOA": "midden"}, "DIGID_MIN_LOA"),
])
def test_art20_5_digid_production_refuses_a_plain_broker_or_a_low_minimum(change, fragment):
    from portal import config
    from tests.unit.test_config import GOOD

    digid = {"DIGID_ISSUER": "https://broker.example", "DIGID_CLIENT_ID": "vt", "DIGID_CLIENT_SECRET": "s",
             "DIGID_MIN_LOA": "substantieel"}
    config.check_production({**GOOD, **digid})
    with pytest.raises(config.ConfigError, match=fragment):
        config.check_production({**GOOD, **digid, **change})
