"""Configuration of the WebSocket layer: one frozen object per side.

`WsConfig` holds the knobs both sides share; `CsmsConfig` (server) and
`StationConfig` (client) add the knobs of their side. Every knob that encodes a choice
the OCPP specification leaves open says so in its comment, and docs/websocket.md lists
them. `ocpp_core.ws` is CPython only (wsproto and h11), so dataclasses are fine here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlsplit

from ocpp_core.versions import SUBPROTOCOLS, V16, V21, V201, VERSIONS

# What to do with a message larger than `max_message_size`.
OVERSIZE_CLOSE = "close"  # close the WebSocket with 1009 (RFC 6455 "message too big")
OVERSIZE_CALLERROR = "callerror"  # drop it; answer a CALL with CALLERROR (FormatViolation)
OVERSIZE_ACTIONS = (OVERSIZE_CLOSE, OVERSIZE_CALLERROR)

# What a CSMS does when an identity that has an open connection connects again (the
# decision itself: ocpp_core.registry.settle_duplicate).
DUPLICATE_REPLACE = "replace"  # accept the new connection, close the old one (1000)
DUPLICATE_REJECT = "reject"  # refuse the new handshake (HTTP 409), keep the old one
DUPLICATE_IDENTITY_POLICIES = (DUPLICATE_REPLACE, DUPLICATE_REJECT)

# 2.x: the station identity is an identifierString of at most 48 characters
# (OCPP 2.0.1 Part 4 §3.1.1) and must not hold ":" (Part 4 errata 3.1).
IDENTITY_MAX_LENGTH_2X = 48
# 2.x: BasicAuthPassword is an identifierString of 16..40 characters (Part 2 errata 3.9).
PASSWORD_MIN_LENGTH_2X = 16
PASSWORD_MAX_LENGTH_2X = 40


def _check_versions(versions: "tuple[str, ...]", what: str) -> None:
    if not versions:
        raise ValueError(what + " must name at least one OCPP version")
    for version in versions:
        if version not in VERSIONS:
            raise ValueError(f"{what}: unknown OCPP version {version!r}")
    if len(set(versions)) != len(versions):
        raise ValueError(what + " lists a version twice")


@dataclass(frozen=True, kw_only=True)
class WsConfig:
    """Knobs shared by both sides. Times are seconds on the caller's monotonic clock."""

    # Largest text message accepted from the peer, in bytes of UTF-8 (after
    # permessage-deflate). Enforced while fragments arrive, so no more than this (plus
    # one received chunk) is ever buffered. OCPP sets no limit: the choice is ours.
    max_message_size: int = 1_048_576
    # Over the limit: OVERSIZE_CLOSE (close 1009) or OVERSIZE_CALLERROR (discard the
    # message, keep its first bytes, and let the connection answer a CALL with
    # CALLERROR FormatViolation / 1.6 FormationViolation). OCPP allows either.
    oversize_action: str = OVERSIZE_CLOSE
    # Send a WebSocket ping this often while open; None disables it. The station's
    # value is OCPP's WebSocketPingInterval (1.6 configuration key, 2.x
    # OCPPCommCtrlr.WebSocketPingInterval, where 0 also means "off").
    ping_interval: Optional[float] = None
    # A ping not answered by a pong within this time closes the connection (1011).
    # OCPP names no value; the choice is ours.
    pong_timeout: float = 30.0
    # After we sent a close frame, wait this long for the peer's; then give up and
    # report the connection closed (not cleanly).
    close_timeout: float = 10.0
    # Time allowed for the opening handshake, counted from the first `now` the
    # connection sees; None waits forever.
    open_timeout: Optional[float] = 30.0
    # Largest HTTP head (request or response line plus headers) accepted; h11 enforces it.
    max_handshake_size: int = 16384
    # Offer (station) / accept (CSMS) RFC 7692 permessage-deflate.
    permessage_deflate: bool = False

    def __post_init__(self) -> None:
        if self.max_message_size < 1:
            raise ValueError("max_message_size must be positive")
        if self.oversize_action not in OVERSIZE_ACTIONS:
            raise ValueError(f"oversize_action must be one of {OVERSIZE_ACTIONS!r}")
        if self.ping_interval is not None and self.ping_interval <= 0:
            raise ValueError("ping_interval must be positive or None (0 means None)")
        for name in ("pong_timeout", "close_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(name + " must be positive")
        if self.open_timeout is not None and self.open_timeout <= 0:
            raise ValueError("open_timeout must be positive or None")
        if self.max_handshake_size < 1024:
            raise ValueError("max_handshake_size below 1024 bytes cannot hold a handshake")


@dataclass(frozen=True, kw_only=True)
class CsmsConfig(WsConfig):
    """The server side (CSMS / 1.6 Central System)."""

    # Versions this endpoint speaks, in the server's order of preference: accept()
    # without a subprotocol picks the first of these the station offered.
    versions: "tuple[str, ...]" = (V21, V201, V16)
    # The endpoint path; the station identity is the one path segment after it.
    # None accepts any path: the identity is its last segment (a simulator or a proxy
    # target that takes stations whatever endpoint URL they were given).
    path_prefix: Optional[str] = "/"
    # A station that offers no Sec-WebSocket-Protocol: None treats it like "no common
    # subprotocol" (the handshake completes without the header, then closes at once,
    # OCPP-J 1.6 §3.2 / 2.0.1 Part 4 §3.2); a version (e.g. "1.6") assumes that version,
    # for 1.6 stations that never send the header.
    version_without_subprotocol: Optional[str] = None
    # 2.x identities must be identifierStrings (a-z A-Z 0-9 * - _ = : + | @ .; no ":"
    # by the errata). True enforces that character set; False only enforces the length
    # and the ":" rule, because the spec's own example ("RDAM 123") breaks the set.
    strict_identity_charset: bool = False
    # The realm of the WWW-Authenticate header a 401 rejection carries (RFC 7235).
    auth_realm: str = "OCPP"
    # 2.x requires a CSMS to support permessage-deflate (Part 4 §3.3).
    permessage_deflate: bool = True
    # Passed to the RPC session by ocpp_core.connection (ocpp_core.rpc's config).
    rpc_config: Any = None
    # A station whose identity already has an open connection connects again (usually
    # it lost its link, e.g. a NAT timeout, before we noticed): DUPLICATE_REPLACE takes
    # the new connection and closes the old one; DUPLICATE_REJECT refuses the new one
    # with 409 until the old one is gone. OCPP says nothing; replace is the default
    # because the old link is almost always dead, and reject would lock the station out
    # until our keepalive notices. Reject suits a CSMS without authentication, where
    # anyone could otherwise push a station off by connecting with its identity.
    duplicate_identity: str = DUPLICATE_REPLACE

    def __post_init__(self) -> None:
        WsConfig.__post_init__(self)
        _check_versions(self.versions, "versions")
        if self.duplicate_identity not in DUPLICATE_IDENTITY_POLICIES:
            raise ValueError(f"duplicate_identity must be one of {DUPLICATE_IDENTITY_POLICIES!r}")
        prefix = self.path_prefix
        if prefix is not None and (not prefix.startswith("/") or not prefix.endswith("/")):
            raise ValueError("path_prefix must start and end with '/', e.g. '/ocpp/'")
        if (
            self.version_without_subprotocol is not None
            and self.version_without_subprotocol not in self.versions
        ):
            raise ValueError("version_without_subprotocol must be one of versions")


@dataclass(frozen=True, kw_only=True)
class StationConfig(WsConfig):
    """The client side (Charging Station / 1.6 Charge Point)."""

    # The CSMS's OCPP-J endpoint URL, ws:// or wss://, without the identity.
    url: str
    # The station identity; it is percent-encoded into the last path segment.
    identity: str
    # Versions offered, most preferred first (Sec-WebSocket-Protocol order).
    versions: "tuple[str, ...]" = (V201,)
    # Security profiles 1 and 2: the Basic-auth password (the identity is the user).
    # 2.x: 16..40 characters (BasicAuthPassword); 1.6: the AuthorizationKey.
    password: Optional[str] = None
    # A 101 without Sec-WebSocket-Protocol: None fails the connection (the server
    # accepted none of our versions); a version assumes it (old 1.6 servers that never
    # echo the header).
    version_without_subprotocol: Optional[str] = None
    # Extra request headers (name, value), e.g. a User-Agent.
    extra_headers: "tuple[tuple[str, str], ...]" = ()
    # Produces the 16 random bytes of Sec-WebSocket-Key; injected so that tests can
    # replay recorded handshakes. None uses os.urandom.
    key_factory: Optional[Callable[[], bytes]] = None
    rpc_config: Any = None
    # Parsed from `url` in __post_init__.
    secure: bool = field(init=False, default=False)
    host: str = field(init=False, default="")
    port: int = field(init=False, default=0)
    path: str = field(init=False, default="/")

    def __post_init__(self) -> None:
        WsConfig.__post_init__(self)
        _check_versions(self.versions, "versions")
        parts = urlsplit(self.url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("url must start with ws:// or wss://")
        if not parts.hostname:
            raise ValueError("url has no host")
        if parts.fragment:
            raise ValueError("url must not have a fragment")
        if parts.query:
            raise ValueError("url must not have a query: the identity ends the path")
        secure = parts.scheme == "wss"
        port = parts.port if parts.port is not None else (443 if secure else 80)
        object.__setattr__(self, "secure", secure)
        object.__setattr__(self, "host", parts.hostname)
        object.__setattr__(self, "port", port)
        object.__setattr__(self, "path", parts.path or "/")
        if not self.identity:
            raise ValueError("identity must not be empty")
        two_x = [v for v in self.versions if v != V16]
        if two_x:
            if len(self.identity) > IDENTITY_MAX_LENGTH_2X:
                raise ValueError("2.x identity is at most 48 characters")
            if ":" in self.identity:
                raise ValueError("2.x identity must not contain ':'")
        if self.password is not None:
            if ":" in self.identity:
                # RFC 7617: the user-id of Basic auth cannot contain a colon.
                raise ValueError("an identity with ':' cannot be a Basic-auth username")
            if two_x and not (
                PASSWORD_MIN_LENGTH_2X <= len(self.password) <= PASSWORD_MAX_LENGTH_2X
            ):
                raise ValueError("2.x BasicAuthPassword is 16 to 40 characters")
        if (
            self.version_without_subprotocol is not None
            and self.version_without_subprotocol not in self.versions
        ):
            raise ValueError("version_without_subprotocol must be one of versions")

    @property
    def subprotocols(self) -> "list[str]":
        """The Sec-WebSocket-Protocol values offered, most preferred first."""
        return [SUBPROTOCOLS[v] for v in self.versions]


__all__ = [
    "DUPLICATE_IDENTITY_POLICIES",
    "DUPLICATE_REJECT",
    "DUPLICATE_REPLACE",
    "IDENTITY_MAX_LENGTH_2X",
    "OVERSIZE_ACTIONS",
    "OVERSIZE_CALLERROR",
    "OVERSIZE_CLOSE",
    "PASSWORD_MAX_LENGTH_2X",
    "PASSWORD_MIN_LENGTH_2X",
    "CsmsConfig",
    "StationConfig",
    "WsConfig",
]
