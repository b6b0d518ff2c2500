"""Two extra servers for bench/e2e.py that measure the proposals of bench/README.md
before anyone changes ocpp_asyncio or ocpp_core (`--servers ours,shared,proto`):

  shared  ours exactly, plus what the public API already allows: one Codec per version
          (`codec_factory`) and one message-id factory (`id_factory`) shared by every
          connection, instead of one of each per connection (proposal 3).
  proto   a sketch of proposals 1 and 2: an `asyncio.Protocol` that drives the same
          sans-IO `CsmsConnection` (unchanged ocpp_core: handshake, framing, RPC, codec
          validation) and runs the plain-function handlers inline, one write per read,
          no task, no asyncio.wait; shared codec and ids as `shared`. It is a sketch: no
          timers (this traffic needs none), no back-pressure, no on_connect hook.
  lean    `proto` plus a sketch of proposal 4: once the handshake is done (by the
          CsmsConnection), frames are cut and unmasked here and the texts go straight
          to the connection's RpcSession, whose answers are framed here too; wsproto
          and ocpp_core.ws are out of the steady-state path. An upper bound for a
          framing fast path: it skips their checks (UTF-8, size limits, fragments).
"""

import asyncio
import random
import time
from typing import Any, Optional


def shared_factories() -> "tuple[Any, Any]":
    """(codec_factory, id_factory): one Codec per version, one id source for all."""
    from ocpp_core.codec import Codec
    from ocpp_core.ids import Uuid4Ids

    codecs: dict[str, Codec] = {}

    def codec_factory(version: str) -> Codec:
        codec = codecs.get(version)
        if codec is None:
            codec = codecs[version] = Codec(version)
        return codec

    return codec_factory, Uuid4Ids(random.SystemRandom().getrandbits)


async def serve_shared(version: str) -> Any:
    import ocpp_asyncio
    from e2e_servers import ours_router

    from ocpp_core.ws import CsmsConfig

    codec_factory, id_factory = shared_factories()
    server = await ocpp_asyncio.serve(
        CsmsConfig(path_prefix="/ocpp/", versions=(version,)),
        host="127.0.0.1",
        port=0,
        router=ours_router(version),
        codec_factory=codec_factory,
        id_factory=id_factory,
    )
    return server, server.port


class ProtocolConnection(asyncio.Protocol):
    """One station: bytes in -> CsmsConnection -> events -> inline handlers -> bytes out."""

    def __init__(self, config: Any, router: Any, codec_factory: Any, id_factory: Any) -> None:
        from ocpp_core.connection import CsmsConnection

        self.core = CsmsConnection(config, id_factory, codec_factory, now=time.monotonic())
        self.router = router
        self.transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.core.receive_data(data, time.monotonic())
        self._settle()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        if self.core.state != "closed":
            self.core.receive_data(b"", time.monotonic())
            list(self.core.events())

    def _settle(self) -> None:
        from ocpp_core import events as ev
        from ocpp_core.handlers import answer_call, answer_unhandled

        core = self.core
        for event in core.events():
            if isinstance(event, ev.CallReceived):
                handler = answer_unhandled(core, self.router, event)
                if handler is not None:
                    try:
                        answer_call(core, event.message_id, handler(self, event.message))
                    except Exception as exc:  # the handler failed: InternalError
                        answer_call(core, event.message_id, None, exc)
            elif isinstance(event, ev.ConnectionRequested):
                core.accept()
        out = core.data_to_send()
        assert self.transport is not None
        if out:
            self.transport.write(out)
        if core.state == "closed":
            self.transport.close()


async def serve_proto(version: str) -> Any:
    return await _serve(ProtocolConnection, version)


async def _serve(connection_class: Any, version: str) -> Any:
    """A server of `connection_class` on a free loopback port: (server, port)."""
    from e2e_servers import ours_router

    from ocpp_core.ws import CsmsConfig

    config = CsmsConfig(path_prefix="/ocpp/", versions=(version,))
    router = ours_router(version)
    codec_factory, id_factory = shared_factories()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: connection_class(config, router, codec_factory, id_factory), "127.0.0.1", 0
    )
    return server, server.sockets[0].getsockname()[1]


class LeanConnection(ProtocolConnection):
    """`ProtocolConnection` whose open connection bypasses the WebSocket layer."""

    def __init__(self, config: Any, router: Any, codec_factory: Any, id_factory: Any) -> None:
        ProtocolConnection.__init__(self, config, router, codec_factory, id_factory)
        self.buffer = b""
        self.session: Any = None

    def data_received(self, data: bytes) -> None:
        if self.session is None:
            ProtocolConnection.data_received(self, data)
            if self.core.state == "open":
                self.session = self.core.rpc
            return
        buffer = self.buffer + data if self.buffer else data
        now = time.monotonic()
        session = self.session
        while len(buffer) >= 6:  # client frames: 2-byte head (+2 / +8 length), 4-byte mask
            length = buffer[1] & 0x7F
            start = 2
            if length == 126:
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            end = start + 4 + length
            if len(buffer) < end:
                break
            mask = buffer[start : start + 4]
            payload = int.from_bytes(buffer[start + 4 : end], "big") ^ int.from_bytes(
                (mask * (length // 4 + 1))[:length], "big"
            )
            opcode = buffer[0] & 0x0F
            buffer = buffer[end:]
            if opcode == 0x1:
                session.receive_message(payload.to_bytes(length, "big").decode("utf-8"), now)
            elif opcode == 0x8:  # close: echo it and hang up
                self._write(0x8, payload.to_bytes(length, "big")[:2])
                assert self.transport is not None
                self.transport.close()
                return
        self.buffer = buffer
        self._answer_calls()

    def _answer_calls(self) -> None:
        from ocpp_core import events as ev

        session = self.session
        for event in session.events():
            if isinstance(event, ev.CallReceived):
                handler = self.router.lookup(session.version, event.action)
                session.reply(event.message_id, handler(self, event.message))
        for text in session.messages_to_send():
            self._write(0x1, text.encode("utf-8"))

    def _write(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            head = bytes((0x80 | opcode, length))
        else:
            head = bytes((0x80 | opcode, 126)) + length.to_bytes(2, "big")
        assert self.transport is not None
        self.transport.write(head + payload)


async def serve_lean(version: str) -> Any:
    return await _serve(LeanConnection, version)
