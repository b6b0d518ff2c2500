"""`WsServer`: the CSMS end of one station connection.

Reads the upgrade request with h11, checks it (RFC 6455 §4.2.1), reads the station
identity from the path and the Basic credentials, and hands the decision to the user
as a ConnectionRequested event: accept(subprotocol=None) or reject(status). Requests
that are not WebSocket upgrades, or name no identity under the path prefix, are
refused here (400 / 426 / 404) and reported as WebSocketViolation.
"""

import base64
import binascii
from http import HTTPStatus
from typing import Optional

import h11
from wsproto.extensions import Extension
from wsproto.handshake import server_extensions_handshake
from wsproto.utilities import generate_accept_token

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.versions import SUBPROTOCOLS, V16, VERSION_OF_SUBPROTOCOL
from ocpp_core.ws.config import CsmsConfig
from ocpp_core.ws.deflate import BoundedPerMessageDeflate
from ocpp_core.ws.endpoint import (
    DECIDING,
    NO_CLOSE_FRAME,
    WsEndpoint,
    header_tokens,
    header_values,
)
from ocpp_core.ws.framing import PROTOCOL_ERROR
from ocpp_core.ws.identity import (
    IdentityError,
    identity_from_target,
    identity_problem_2x,
    parse_basic_authorization,
)

# Close reason when no offered subprotocol is acceptable (OCPP-J 1.6 §3.2; 2.0.1 §3.2).
NO_COMMON_VERSION = "no OCPP version in common"


def http_response(
    status: int, headers: "list[tuple[str, str]]", body: bytes = b"", reason: str = ""
) -> bytes:
    """An HTTP/1.1 response head (and body). Written by hand, because h11 refuses to
    answer a request it could not parse, and those need an answer too."""
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
    lines = [f"HTTP/1.1 {status} {reason}"]
    for name, value in headers:
        lines.append(name + ": " + value)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# Header names and values that every station sends alike, decoded once for every
# connection: ConnectionRequested.headers is kept for the connection's lifetime, and
# these would otherwise be a few hundred bytes of identical strings per connection.
# A fixed set (never grown from what peers send, so a peer cannot fill it).
_SHARED_TEXTS = {
    word.encode("latin-1"): word
    for word in (
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-protocol",
        "sec-websocket-extensions",
        "authorization",
        "user-agent",
        "origin",
        "websocket",
        "Upgrade",
        "13",
        "ocpp1.6",
        "ocpp2.0.1",
        "ocpp2.1",
        "permessage-deflate",
        "permessage-deflate; client_max_window_bits",
    )
}


def _text_of(raw: bytes) -> str:
    text = _SHARED_TEXTS.get(raw)
    return raw.decode("latin-1") if text is None else text


class WsServer(WsEndpoint):
    """One incoming connection, from the first request byte to the close."""

    def __init__(self, config: CsmsConfig, now: Optional[float] = None) -> None:
        WsEndpoint.__init__(self, config, now)
        self.config = config
        # The HTTP side of the handshake; dropped (None) once the WebSocket is open.
        self._h11: Optional[h11.Connection] = h11.Connection(
            h11.SERVER, max_incomplete_event_size=config.max_handshake_size
        )
        self._request: Optional[ev.ConnectionRequested] = None
        self._key = b""
        self._offered_extensions: list[str] = []
        self._early_bytes = 0  # bytes received after the request, before the decision
        self._fed = 0  # bytes given to h11 while waiting for the request
        self.identity: Optional[str] = None

    @property
    def request(self) -> Optional[ev.ConnectionRequested]:
        """The ConnectionRequested of this connection, once the request was read."""
        return self._request

    # -- handshake in ------------------------------------------------------------------
    def _receive_handshake(self, data: bytes) -> None:
        assert self._h11 is not None  # called only before the WebSocket is open
        if self._handshake_state == DECIDING:
            if not data:
                self._move("lost")
                self._closed(NO_CLOSE_FRAME, "station left before the answer", ev.TRANSPORT, False)
                return
            # A client must wait for the 101 before it sends frames (RFC 6455 §4.1);
            # keep what it sent anyway, within reason, and replay it after accept().
            self._early_bytes += len(data)
            if self._early_bytes > self.config.max_message_size + self.config.max_handshake_size:
                self._refuse(400, "too much data before the handshake was answered")
                return
            self._h11.receive_data(data)
            return
        self._h11.receive_data(data)
        self._fed += len(data)
        request: Optional[h11.Request] = None
        while True:
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                if not data:
                    self._move("lost")
                    self._closed(
                        NO_CLOSE_FRAME, "stream ended inside the request", ev.TRANSPORT, False
                    )
                else:
                    self._refuse(exc.error_status_hint, "bad HTTP request: " + str(exc))
                return
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                if event.data:
                    self._refuse(400, "an upgrade request must not have a body")
                    return
            elif isinstance(event, h11.ConnectionClosed):
                self._move("lost")
                self._closed(NO_CLOSE_FRAME, "stream ended before a request", ev.TRANSPORT, False)
                return
            elif event is h11.NEED_DATA or event is h11.PAUSED:
                break
        if request is not None:
            # h11 bounds only a head still incomplete; one that arrives whole is checked here.
            if self._fed - len(self._h11.trailing_data[0]) > self.config.max_handshake_size:
                self._refuse(431, "request head larger than max_handshake_size")
                return
            self._on_request(request)

    def _on_request(self, request: h11.Request) -> None:
        headers = list(request.headers)
        if request.method != b"GET":
            self._refuse(405, "upgrade request method is not GET", [("Allow", "GET")])
            return
        if request.http_version != b"1.1":
            self._refuse(400, "upgrade request is not HTTP/1.1")
            return
        if header_values(headers, b"transfer-encoding") or any(
            v.strip() != b"0" for v in header_values(headers, b"content-length")
        ):
            self._refuse(400, "an upgrade request must not have a body")
            return
        if not header_values(headers, b"host"):
            self._refuse(400, "upgrade request has no Host header")
            return
        if "websocket" not in [t.lower() for t in header_tokens(headers, b"upgrade")]:
            self._refuse(400, "not a WebSocket upgrade (Upgrade: websocket missing)")
            return
        if "upgrade" not in [t.lower() for t in header_tokens(headers, b"connection")]:
            self._refuse(400, "not a WebSocket upgrade (Connection: upgrade missing)")
            return
        if header_tokens(headers, b"sec-websocket-version") != ["13"]:
            self._refuse(426, "Sec-WebSocket-Version is not 13", [("Sec-WebSocket-Version", "13")])
            return
        keys = header_values(headers, b"sec-websocket-key")
        if len(keys) != 1 or not _is_nonce(keys[0]):
            self._refuse(400, "Sec-WebSocket-Key is not one base64 16-byte nonce")
            return
        self._key = keys[0].strip()
        target = request.target.decode("latin-1")
        try:
            identity = identity_from_target(target, self.config.path_prefix)
        except IdentityError as exc:
            self._refuse(404, "no station identity in the path: " + str(exc))
            return
        self._offered_extensions = header_tokens(headers, b"sec-websocket-extensions")
        offered = tuple(header_tokens(headers, b"sec-websocket-protocol"))
        problem = identity_problem_2x(identity, self.config.strict_identity_charset)
        versions = []
        for version in self.config.versions:
            if SUBPROTOCOLS[version] in offered and (version == V16 or problem is None):
                versions.append(version)
        assumed = self.config.version_without_subprotocol
        if not offered and assumed is not None and (assumed == V16 or problem is None):
            versions.append(assumed)  # accept() then answers without the header
        username = password = auth_problem = None
        authorizations = header_values(headers, b"authorization")
        if len(authorizations) > 1:
            auth_problem = "more than one Authorization header"
        elif authorizations:
            try:
                username, password = parse_basic_authorization(authorizations[0].decode("latin-1"))
            except ValueError as exc:
                auth_problem = str(exc)
        self.identity = identity
        self._request = ev.ConnectionRequested(
            identity=identity,
            subprotocols=offered,
            versions=tuple(versions),
            path=target,
            headers=tuple((_text_of(k), _text_of(v)) for k, v in headers),
            username=username,
            password=password,
            auth_problem=auth_problem,
            identity_problem=problem,
        )
        self._move("request")
        self._events.append(self._request)

    def _refuse(
        self, status: int, reason: str, headers: "Optional[list[tuple[str, str]]]" = None
    ) -> None:
        self._events.append(ev.WebSocketViolation(reason, status_code=status))
        self._out += http_response(
            status, [*(headers or []), ("Content-Length", "0"), ("Connection", "close")]
        )
        self._move("refuse" if self._handshake_state != DECIDING else "reject")
        self._closed(NO_CLOSE_FRAME, reason, ev.LOCAL, False)

    def _handshake_timed_out(self) -> None:
        self._move("abort")
        self._closed(NO_CLOSE_FRAME, "no upgrade request in time", ev.LOCAL, False)

    # -- the decision ---------------------------------------------------------------
    def accept(self, subprotocol: Optional[str] = None) -> None:
        """Accept the connection.

        `subprotocol` (a subprotocol name like "ocpp2.0.1", or a version like "2.0.1")
        must be one of ConnectionRequested.versions; None picks the server's most
        preferred of them. With none acceptable, the handshake completes without
        Sec-WebSocket-Protocol and the connection closes at once, as OCPP-J prescribes
        (unless the station offered none and version_without_subprotocol is set).
        """
        if self._handshake_state != DECIDING or self._request is None:
            raise LocalProtocolError("accept() answers a ConnectionRequested, none is pending")
        request = self._request
        version: Optional[str] = None
        echo = bool(request.subprotocols)  # nothing offered: nothing to echo
        if subprotocol is not None:
            version = VERSION_OF_SUBPROTOCOL.get(subprotocol, subprotocol)
            if version not in request.versions:
                raise LocalProtocolError(
                    f"{subprotocol!r} is not an acceptable choice here: {request.versions!r}"
                )
        elif request.versions:
            version = request.versions[0]
        headers = [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", generate_accept_token(self._key).decode("ascii")),
        ]
        if version is not None and echo:
            headers.append(("Sec-WebSocket-Protocol", SUBPROTOCOLS[version]))
        extensions: list[Extension] = []
        if self.config.permessage_deflate and version is not None:
            deflate = BoundedPerMessageDeflate(self.config.max_message_size)
            try:
                accepted = server_extensions_handshake(self._offered_extensions, [deflate])
            except ValueError:  # unreadable parameters: decline the extension
                accepted = None
            if accepted:
                headers.append(("Sec-WebSocket-Extensions", accepted.decode("ascii")))
                extensions.append(deflate)
                self.extensions = (accepted.decode("ascii"),)
        self._out += http_response(101, headers, reason="Switching Protocols")
        self._move("accept")
        self.version = version
        self.subprotocol = SUBPROTOCOLS[version] if version is not None and echo else None
        assert self._h11 is not None
        trailing = self._h11.trailing_data[0]
        self._h11 = None  # ~1 KB of HTTP state no open connection needs
        self._offered_extensions = []
        self._start_framing(extensions, b"")
        assert self._framing is not None
        if version is None:
            self._framing.close(PROTOCOL_ERROR, NO_COMMON_VERSION, self._now or 0.0)
        if trailing:
            self._framing.receive_data(trailing, self._now or 0.0)

    def reject(
        self,
        status: int,
        headers: "Optional[list[tuple[str, str]]]" = None,
        body: bytes = b"",
    ) -> None:
        """Refuse the connection with an HTTP status: 401 for bad credentials (a Basic
        challenge is added), 404 for an unknown identity (OCPP-J 1.6 §3.2), ..."""
        if self._handshake_state != DECIDING:
            raise LocalProtocolError("reject() answers a ConnectionRequested, none is pending")
        if not 300 <= status <= 599:
            raise LocalProtocolError(f"a rejection needs a 3xx-5xx status, not {status}")
        extra = list(headers or [])
        names = [name.lower() for name, _ in extra]
        if status == 401 and "www-authenticate" not in names:
            extra.append(("WWW-Authenticate", f'Basic realm="{self.config.auth_realm}"'))
        extra += [("Content-Length", str(len(body))), ("Connection", "close")]
        self._out += http_response(status, extra, body)
        self._move("reject")
        self._closed(NO_CLOSE_FRAME, f"rejected with HTTP {status}", ev.LOCAL, True)


def _is_nonce(value: bytes) -> bool:
    try:
        return len(base64.b64decode(value.strip(), validate=True)) == 16
    except (binascii.Error, ValueError):
        return False
