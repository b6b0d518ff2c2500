"""Station identity in the connection URL, and HTTP Basic credentials.

OCPP-J: the connection URL is the endpoint URL, "/", then the station identity
percent-encoded per RFC 3986 (OCPP-J 1.6 §3.1.1; 2.0.1 Part 4 §3.1.1). In 2.x the
identity is at most 48 characters and holds no ":" (it is the Basic-auth username,
Part 4 errata 3.1). Basic auth: `Authorization: Basic base64(identity ":" password)`
with the password as plain UTF-8 (2.0 Part 2 errata 3.12, 3.9).
"""

import base64
import binascii
from typing import Optional
from urllib.parse import quote

from ocpp_core.ws.config import IDENTITY_MAX_LENGTH_2X

# RFC 3986 pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_PCHAR = _UNRESERVED | _SUB_DELIMS | frozenset(":@")
_HEX = frozenset("0123456789abcdefABCDEF")
# OCPP 2.x identifierString characters (Part 2, data types), without ":" (errata).
_IDENTIFIER_STRING = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_=+|@."
)


class IdentityError(ValueError):
    """The request target does not name a station identity under the prefix."""


def encode_identity(identity: str) -> str:
    """The identity as one path segment: every character outside pchar escaped.

    Escaping only what RFC 3986 requires keeps ordinary identities byte-identical
    in the URL, which servers that compare raw paths rely on.
    """
    return quote(identity, safe="!$&'()*+,;=:@")


def _percent_decode(segment: str) -> str:
    raw = bytearray()
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "%":
            pair = segment[i + 1 : i + 3]
            if len(pair) != 2 or pair[0] not in _HEX or pair[1] not in _HEX:
                raise IdentityError(f"bad percent-encoding in {segment!r}")
            raw.append(int(pair, 16))
            i += 3
            continue
        if char not in _PCHAR:
            raise IdentityError(f"character {char!r} must be percent-encoded (RFC 3986)")
        raw += char.encode("ascii")
        i += 1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise IdentityError("percent-decoded identity is not UTF-8") from None


def identity_from_target(target: str, prefix: Optional[str]) -> str:
    """The decoded identity of a request target `prefix + <segment> [? query]`.

    Raises IdentityError when the path is not under `prefix`, has more than one
    segment after it, or the segment is empty or badly encoded. A `prefix` of None
    takes any path: the identity is its last segment.
    """
    path = target.split("?", 1)[0]
    if prefix is None:
        prefix = path[: path.rfind("/") + 1] if path.startswith("/") else "/"
    if not path.startswith(prefix):
        raise IdentityError(f"path {path!r} is not under {prefix!r}")
    segment = path[len(prefix) :]
    if not segment:
        raise IdentityError(f"no station identity after {prefix!r}")
    if "/" in segment:
        raise IdentityError(f"more than one path segment after {prefix!r}")
    identity = _percent_decode(segment)
    for char in identity:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise IdentityError("identity holds a control character")
    return identity


def identity_problem_2x(identity: str, strict_charset: bool = False) -> Optional[str]:
    """Why `identity` cannot be a 2.x station identity, or None when it can."""
    if len(identity) > IDENTITY_MAX_LENGTH_2X:
        return f"2.x identity longer than 48 characters ({len(identity)})"
    if ":" in identity:
        return "2.x identity must not contain ':'"
    if strict_charset:
        for char in identity:
            if char not in _IDENTIFIER_STRING:
                return f"2.x identity character {char!r} is not allowed in an identifierString"
    return None


def basic_authorization(username: str, password: str) -> str:
    """The Authorization header value for HTTP Basic (RFC 7617, UTF-8)."""
    token = base64.b64encode((username + ":" + password).encode("utf-8")).decode("ascii")
    return "Basic " + token


def parse_basic_authorization(value: str) -> "tuple[str, str]":
    """(username, password) from an Authorization header value; ValueError if not Basic
    or not readable."""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        raise ValueError(f"authorization scheme is {scheme!r}, not Basic")
    try:
        decoded = base64.b64decode(token.strip().encode("ascii"), validate=True)
        text = decoded.decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise ValueError("Basic credentials are not base64 of UTF-8 text") from None
    if ":" not in text:
        raise ValueError("Basic credentials hold no ':' between user and password")
    username, _, password = text.partition(":")
    return username, password
