"""Station identity in the URL path and HTTP Basic credentials (ocpp_core.ws.identity)."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpp_core.ws.identity import (
    IdentityError,
    basic_authorization,
    encode_identity,
    identity_from_target,
    identity_problem_2x,
    parse_basic_authorization,
)

identities = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60
).filter(lambda s: "\x7f" not in s)


@given(identities)
def test_encode_then_decode_is_identity(identity):
    segment = encode_identity(identity)
    assert "/" not in segment and "?" not in segment and " " not in segment
    assert identity_from_target("/ocpp/" + segment, "/ocpp/") == identity


@pytest.mark.parametrize(
    ("identity", "segment"),
    [
        ("RDAM 123", "RDAM%20123"),  # the example of OCPP-J 1.6 §3.1.1
        ("CP-01_a.b~c", "CP-01_a.b~c"),
        ("a*b+c=d@e|f", "a*b+c=d@e%7Cf"),
        ("a/b?c#d%", "a%2Fb%3Fc%23d%25"),
        ("café", "caf%C3%A9"),
    ],
)
def test_encode_escapes_only_what_rfc3986_requires(identity, segment):
    assert encode_identity(identity) == segment


def test_decode_accepts_lower_case_hex_and_ignores_query():
    assert identity_from_target("/x/a%2fb%c3%a9?v=1", "/x/") == "a/bé"


@pytest.mark.parametrize(
    "target", ["/", "/x", "/x/", "/x/a/", "/y/a", "/x/%", "/x/%4", "/x/%4g", "/x/a b", "/x/%C3"]
)
def test_decode_refuses(target):
    with pytest.raises(IdentityError):
        identity_from_target(target, "/x/")


def test_identity_problem_2x():
    assert identity_problem_2x("A" * 48) is None
    assert "48" in identity_problem_2x("A" * 49)
    assert "':'" in identity_problem_2x("CP:1")
    assert identity_problem_2x("RDAM 123") is None
    assert "identifierString" in identity_problem_2x("RDAM 123", strict_charset=True)
    assert identity_problem_2x("a*-_=+|@.Z9", strict_charset=True) is None


@given(st.text(min_size=1).filter(lambda s: ":" not in s), st.text())
def test_basic_round_trip(username, password):
    assert parse_basic_authorization(basic_authorization(username, password)) == (
        username,
        password,
    )


def test_basic_known_value_and_case_insensitive_scheme():
    # RFC 7617 §2's example.
    assert basic_authorization("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    assert parse_basic_authorization("basic  QWxhZGRpbjpvcGVuIHNlc2FtZQ== ") == (
        "Aladdin",
        "open sesame",
    )


@pytest.mark.parametrize(
    "value",
    [
        "Digest abc",
        "Basic",
        "Basic ***",
        "Basic " + base64.b64encode(b"nocolon").decode(),
        "Basic " + base64.b64encode(b"\xc3:x").decode(),
    ],
)
def test_basic_refuses(value):
    with pytest.raises(ValueError):
        parse_basic_authorization(value)
