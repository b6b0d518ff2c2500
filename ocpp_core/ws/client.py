"""`WsClient`: the station end of the connection.

Builds the upgrade request for `<url path>/<percent-encoded identity>` offering the
configured versions (most preferred first), with `Authorization: Basic` when a
password is configured (security profiles 1 and 2). Checks the answer (status 101,
Upgrade / Connection headers, Sec-WebSocket-Accept, a subprotocol we offered, only
extensions we offered) and reports each failure as HandshakeFailed with its kind.
"""

import base64
import os
from typing import Optional

import h11
from wsproto.extensions import Extension
from wsproto.handshake import client_extensions_handshake
from wsproto.utilities import ProtocolError as WsprotoError
from wsproto.utilities import generate_accept_token

from ocpp_core import events as ev
from ocpp_core.versions import VERSION_OF_SUBPROTOCOL
from ocpp_core.ws.config import StationConfig
from ocpp_core.ws.deflate import BoundedPerMessageDeflate
from ocpp_core.ws.endpoint import NO_CLOSE_FRAME, WsEndpoint, header_tokens, header_values
from ocpp_core.ws.identity import basic_authorization, encode_identity

# How much of a rejection's body HandshakeFailed keeps.
MAX_REJECTION_BODY = 4096


class WsClient(WsEndpoint):
    """The station's connection, from the upgrade request to the close."""

    _client = True

    def __init__(self, config: StationConfig, now: Optional[float] = None) -> None:
        WsEndpoint.__init__(self, config, now)
        self.config = config
        # The HTTP side of the handshake; dropped (None) once the WebSocket is open.
        self._h11: Optional[h11.Connection] = h11.Connection(
            h11.CLIENT, max_incomplete_event_size=config.max_handshake_size
        )
        nonce = config.key_factory() if config.key_factory is not None else os.urandom(16)
        if len(nonce) != 16:
            raise ValueError("key_factory must return 16 bytes")
        self._key = base64.b64encode(nonce)
        self._deflate: Optional[BoundedPerMessageDeflate] = None
        if config.permessage_deflate:
            self._deflate = BoundedPerMessageDeflate(config.max_message_size)
        self._rejection: Optional[h11.Response] = None
        self._body = bytearray()
        self._fed = 0  # bytes given to h11
        self.target = self._target()
        assert self._h11 is not None
        self._out += self._h11.send(
            h11.Request(method="GET", target=self.target, headers=self._headers())
        )
        self._out += self._h11.send(h11.EndOfMessage())

    def _target(self) -> str:
        base = self.config.path if self.config.path.endswith("/") else self.config.path + "/"
        return base + encode_identity(self.config.identity)

    def _headers(self) -> "list[tuple[str, str]]":
        config = self.config
        default_port = 443 if config.secure else 80
        host = config.host if ":" not in config.host else "[" + config.host + "]"
        if config.port != default_port:
            host += ":" + str(config.port)
        headers = [
            ("Host", host),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", self._key.decode("ascii")),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Protocol", ", ".join(config.subprotocols)),
        ]
        if self._deflate is not None:
            offer = self._deflate.offer()
            assert isinstance(offer, str)
            headers.append(("Sec-WebSocket-Extensions", self._deflate.name + "; " + offer))
        if config.password is not None:
            headers.append(("Authorization", basic_authorization(config.identity, config.password)))
        headers.extend(config.extra_headers)
        return headers

    # -- handshake in ------------------------------------------------------------------
    def _receive_handshake(self, data: bytes) -> None:
        assert self._h11 is not None  # called only before the WebSocket is open
        self._h11.receive_data(data)
        self._fed += len(data)
        while self._framing is None and self.state != "closed":
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                if self._rejection is not None:
                    self._rejected()
                elif not data:
                    self._fail(ev.EOF, "stream ended inside the server's answer")
                else:
                    self._fail(ev.BAD_RESPONSE, "bad HTTP response: " + str(exc))
                return
            if isinstance(event, h11.InformationalResponse):
                if event.status_code == 101:
                    self._on_switch(event)
                else:
                    self._fail(
                        ev.REJECTED,
                        f"HTTP {event.status_code} instead of 101",
                        event.status_code,
                        _str_headers(list(event.headers)),
                    )
            elif isinstance(event, h11.Response):
                self._rejection = event
            elif isinstance(event, h11.Data):
                self._body += event.data
                if len(self._body) >= MAX_REJECTION_BODY:
                    self._rejected()
            elif isinstance(event, h11.EndOfMessage):
                self._rejected()
            elif isinstance(event, h11.ConnectionClosed):
                if self._rejection is not None:
                    self._rejected()
                else:
                    self._fail(ev.EOF, "stream ended before the server answered")
            else:  # NEED_DATA or PAUSED
                break

    def _rejected(self) -> None:
        response = self._rejection
        assert response is not None
        self._fail(
            ev.REJECTED,
            f"HTTP {response.status_code} instead of 101",
            response.status_code,
            _str_headers(list(response.headers)),
            bytes(self._body[:MAX_REJECTION_BODY]),
        )

    def _fail(
        self,
        kind: str,
        reason: str,
        status: Optional[int] = None,
        headers: "tuple[tuple[str, str], ...]" = (),
        body: bytes = b"",
    ) -> None:
        self._events.append(ev.HandshakeFailed(kind, reason, status, headers, body))
        self._move("failed")
        # RFC 6455 §4.1: the client fails the connection; no close frame is owed.
        self._closed(NO_CLOSE_FRAME, reason, ev.TRANSPORT, False)

    def _on_switch(self, response: h11.InformationalResponse) -> None:
        headers = list(response.headers)
        assert self._h11 is not None
        # h11 bounds only a head still incomplete; one that arrives whole is checked here.
        if self._fed - len(self._h11.trailing_data[0]) > self.config.max_handshake_size:
            self._fail(ev.BAD_RESPONSE, "101 head larger than max_handshake_size", 101)
            return
        if "websocket" not in [t.lower() for t in header_tokens(headers, b"upgrade")]:
            self._fail(ev.BAD_UPGRADE, "101 without Upgrade: websocket", 101)
            return
        if "upgrade" not in [t.lower() for t in header_tokens(headers, b"connection")]:
            self._fail(ev.BAD_UPGRADE, "101 without Connection: upgrade", 101)
            return
        accepts = header_values(headers, b"sec-websocket-accept")
        if len(accepts) != 1 or accepts[0].strip() != generate_accept_token(self._key):
            self._fail(ev.BAD_ACCEPT, "Sec-WebSocket-Accept does not match our key", 101)
            return
        chosen = header_tokens(headers, b"sec-websocket-protocol")
        version: Optional[str] = None
        subprotocol: Optional[str] = None
        if len(chosen) > 1:
            self._fail(ev.BAD_SUBPROTOCOL, f"server chose several subprotocols {chosen!r}", 101)
            return
        if chosen:
            subprotocol = chosen[0]
            if subprotocol not in self.config.subprotocols:
                self._fail(ev.BAD_SUBPROTOCOL, f"server chose {subprotocol!r}, not offered", 101)
                return
            version = VERSION_OF_SUBPROTOCOL[subprotocol]
        elif self.config.version_without_subprotocol is not None:
            version = self.config.version_without_subprotocol
        else:
            self._fail(ev.NO_SUBPROTOCOL, "server accepted none of our OCPP versions", 101)
            return
        accepted = header_tokens(headers, b"sec-websocket-extensions")
        offered: list[Extension] = [self._deflate] if self._deflate is not None else []
        try:
            extensions = client_extensions_handshake(accepted, offered)
        except (WsprotoError, ValueError) as exc:
            self._fail(ev.BAD_EXTENSION, "bad Sec-WebSocket-Extensions: " + str(exc), 101)
            return
        self._move("accepted")
        self.version = version
        self.subprotocol = subprotocol
        self.extensions = tuple(accepted)
        extra = tuple(
            (k, v)
            for k, v in _str_headers(headers)
            if k
            not in (
                "upgrade",
                "connection",
                "sec-websocket-accept",
                "sec-websocket-protocol",
                "sec-websocket-extensions",
            )
        )
        self._events.append(ev.Connected(version, subprotocol, self.extensions, extra))
        trailing = self._h11.trailing_data[0]
        self._h11 = None  # ~1 KB of HTTP state no open connection needs
        self._start_framing(extensions, trailing)

    def _handshake_timed_out(self) -> None:
        self._fail(ev.TIMEOUT, "no answer to the upgrade request in time")


def _str_headers(headers: "list[tuple[bytes, bytes]]") -> "tuple[tuple[str, str], ...]":
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers)
