"""Checks for what people type, each backed by a well-kept library.

BSN: python-stdnum (the 11-test). Postcode: python-stdnum. Phone: phonenumbers.
E-mail: email-validator (syntax only; no DNS look-up from the web request).
Each function returns the normalised value or raises ValueError with a stable code.
"""
from __future__ import annotations

import re
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_exceptions
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

_DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[-/. ](?P<m>\d{1,2})[-/. ](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)


def parse_date(text: str) -> date:
    """DD-MM-JJJJ (also with / . or space), or the ISO form JJJJ-MM-DD."""
    text = (text or "").strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                raise ValueError("date_does_not_exist") from None
    raise ValueError("date_format")


def normalise_bsn(text: str) -> str:
    """A Dutch BSN that passes the 11-test (elfproef)."""
    try:
        return stdnum_bsn.validate(text)
    except stdnum_exceptions.ValidationError:
        raise ValueError("bsn_invalid") from None


def normalise_postcode(text: str) -> str:
    """A Dutch postcode, as '1234 AB'."""
    try:
        compact = stdnum_postcode.validate(text)
    except stdnum_exceptions.ValidationError:
        raise ValueError("postcode_invalid") from None
    return f"{compact[:4]} {compact[4:]}"


def normalise_phone(text: str) -> str:
    """A valid phone number, Dutch by default (06-12345678, +31 6 1234 5678, ...), as E.164."""
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        raise ValueError("phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    """A syntactically valid e-mail address, normalised (domain in lower case)."""
    try:
        return validate_email((text or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError("email_invalid") from None
