"""The load process of bench/e2e.py: N stations against one server, phase by phase.

    python bench/e2e_load.py --csms ws://127.0.0.1:PORT/ocpp --count N --duration S \
        [--ocpp 1.6] [--wire raw|typed] [--prefix CP]

Phases, each reported as one JSON line on stdout: connect and boot every station, say
`ready` and wait for a line on stdin (the bench reads the server's RSS with N idle
connections); load: every station calls in a loop, and once each has had its first
answer (the ramp) say `window`, count S seconds, say `window closed` (the bench reads
the server's CPU time at both), stop the loops, and when the last calls are answered
say `loaded` with the summary of the window and wait for a line; disconnect, say
`closed`.

Two generators, the same traffic (boot: BootNotification + StatusNotification; loop:
Heartbeat and MeterValues in turn, one CALL in flight per station):

  typed  `ocpp_cli.simload.LoadRun`, what `ocpp-toolkit station --scenario load` runs:
         ocpp_asyncio stations, every answer decoded and validated (~200 µs per call);
  raw    `RawLoadRun` below: pre-encoded frames written straight to the transport,
         each answer checked only for being the CALLRESULT of the CALL in flight
         (~30 µs per call), so that one process saturates even the echo server.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bindings")]  # run from a checkout without an install

from ocpp_cli.simload import (  # noqa: E402
    CONNECT_FAILED,
    CONNECTING_AT_ONCE,
    NOT_ACCEPTED,
    LoadRun,
    LoadStats,
    Workload,
    measure_window,
)

from ocpp_core.ws import StationConfig  # noqa: E402


class RawStation(asyncio.Protocol):
    """One station speaking pre-encoded frames straight to a transport: the WebSocket
    handshake, masked text frames with a counting message id, and per answer only the
    check that it is the CALLRESULT of the CALL in flight (`[3,"<id>",`), no JSON
    parsing and no schema validation. It costs a fraction of a validating station, so
    that one generator process can saturate a fast server (bench/e2e.py --wire raw)."""

    def __init__(self, run: "RawLoadRun", name: str) -> None:
        self.run = run
        self.name = name
        self.transport: Optional[asyncio.Transport] = None
        self.buffer = b""
        self.upgraded = False
        # One random masking key per connection: RFC 6455 asks for a fresh one per frame,
        # which no server can tell apart; it saves an os.urandom() per call.
        self.mask = os.urandom(4)
        self.key = base64.b64encode(os.urandom(16)).decode()
        self.next_id = 0
        self.expect = ""  # the `[3,"<id>",` prefix of the answer awaited
        self.turn = 0
        self.sent_at = 0.0
        self.warm = False  # had its first answer in the loop
        self.waiter: Optional[asyncio.Future[str]] = None  # the answer text, or an error
        self.looping: Optional[asyncio.Future[None]] = None
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # -- bytes -----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        run = self.run
        request = (
            f"GET {run.path}{self.name} HTTP/1.1\r\nHost: {run.host}:{run.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {self.key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {run.subprotocol}\r\n\r\n"
        )
        transport.write(request.encode("ascii"))

    def connection_lost(self, exc: Optional[Exception]) -> None:
        if not self.lost.done():
            self.lost.set_result(None)
        self._answer(None, "ConnectionClosed")
        if self.looping is not None and not self.looping.done():
            self.run.stats.errors["ConnectionClosed"] += 1
            if not self.warm:  # a lost station ends its part of the ramp
                self.warm = True
                self.run.stats.warm += 1
            self.looping.set_result(None)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            head, buffer = buffer[:end], buffer[end + 4 :]
            if not head.startswith(b"HTTP/1.1 101") or self._accept_key() not in head:
                self._answer(None, "HandshakeFailed")
                self._abort()
                return
            self.upgraded = True
            self._answer("", None)
        # Server frames: FIN + opcode, unmasked length (7, 16 or 64 bits), payload.
        while len(buffer) >= 2:
            length = buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    break
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                break
            opcode = buffer[0] & 0x0F
            payload = buffer[start : start + length]
            buffer = buffer[start + length :]
            if opcode == 0x1:
                self._on_text(payload.decode("utf-8"))
            elif opcode == 0x9:  # ping
                self._write_frame(0xA, payload)
            elif opcode == 0x8:  # close: answer it, then the server ends the TCP
                self._write_frame(0x8, payload[:2])
                self._answer(None, "ConnectionClosed")
        self.buffer = buffer

    def _accept_key(self) -> bytes:
        digest = hashlib.sha1((self.key + _WS_GUID).encode("ascii")).digest()
        return base64.b64encode(digest)

    def _write_frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            head = bytes((0x80 | opcode, 0x80 | length))
        elif length < 65536:
            head = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
        else:
            head = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
        # Masking (client frames must be masked): one big-integer XOR, not a byte loop.
        repeated = (self.mask * (length // 4 + 1))[:length]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
            length, "big"
        )
        assert self.transport is not None
        self.transport.write(head + self.mask + masked)

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # -- calls -----------------------------------------------------------------------------
    def _send_call(self, action: str, payload: str) -> None:
        self.next_id += 1
        message_id = str(self.next_id)
        self.expect = f'[3,"{message_id}",'
        self.sent_at = time.perf_counter()
        self._write_frame(0x1, f'[2,"{message_id}","{action}",{payload}]'.encode())

    def _answer(self, text: Optional[str], error: Optional[str]) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if error is None:
                waiter.set_result(text or "")
            else:
                waiter.set_exception(_RawError(error))

    async def call(self, action: str, payload: str, timeout: float) -> str:
        self.waiter = asyncio.get_running_loop().create_future()
        self._send_call(action, payload)
        return await asyncio.wait_for(self.waiter, timeout)

    def _on_text(self, text: str) -> None:
        if self.looping is None or self.looping.done():
            if text.startswith(self.expect):
                self._answer(text, None)
            else:
                self._answer(None, _error_label(text))
            return
        run = self.run
        stats = run.stats
        if text.startswith(self.expect):
            stats.calls += 1
            stats.latencies.append(time.perf_counter() - self.sent_at)
        else:
            stats.errors[_error_label(text)] += 1
        if not self.warm:
            self.warm = True
            stats.warm += 1
        if run.stopping:
            self.looping.set_result(None)
            return
        self.turn ^= 1
        action, payload = self.run.loop_frames[self.turn]
        self._send_call(action, payload)

    def start_loop(self) -> "asyncio.Future[None]":
        """Call in a loop until the run stops, driven from data_received (no task per
        call); the future is done once the last call has been answered."""
        self.looping = asyncio.get_running_loop().create_future()
        if self.lost.done():
            self.looping.set_result(None)
        else:
            action, payload = self.run.loop_frames[0]
            self._send_call(action, payload)
        return self.looping

    async def close(self) -> None:
        if self.transport is None or self.lost.done():
            return
        self._write_frame(0x8, (1000).to_bytes(2, "big"))
        try:
            await asyncio.wait_for(asyncio.shield(self.lost), 5.0)
        except asyncio.TimeoutError:
            self._abort()


_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class _RawError(Exception):
    pass


def _error_label(text: str) -> str:
    if text.startswith("[4,"):
        return "CallError"
    return "UnexpectedAnswer"


class RawLoadRun:
    """LoadRun's interface (connect_all, load, close_all, stats, failures) over
    RawStation: the same traffic, pre-encoded, answers checked only by id."""

    def __init__(self, url: str, names: "list[str]", version: str, timeout: float = 30.0) -> None:
        import msgspec

        config = StationConfig(url=url, identity=names[0], versions=(version,))
        self.host, self.port = config.host, config.port
        self.path = config.path.rstrip("/") + "/"
        self.subprotocol = "ocpp1.6" if version == "1.6" else "ocpp" + version
        self.names = names
        self.version = version
        self.timeout = timeout
        work = Workload(version)

        def encoded(request: Any) -> "tuple[str, str]":
            action = type(request).__name__[: -len("Request")]
            return action, msgspec.json.encode(request).decode()

        self.boot_frames = [encoded(work.boot), encoded(work.status)]
        self.loop_frames = [encoded(work.heartbeat), encoded(work.meter_values)]
        self.stats = LoadStats()
        self.stations: list[RawStation] = []
        self.failures: list[str] = []
        self.stopping = False

    async def connect_all(self) -> None:
        gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
        opened = await asyncio.gather(*(self._connect(name, gate) for name in self.names))
        self.stations = [station for station in opened if station is not None]
        self.stats.connected = len(self.stations)

    async def _connect(self, name: str, gate: asyncio.Semaphore) -> "Optional[RawStation]":
        loop = asyncio.get_running_loop()
        async with gate:
            station = RawStation(self, name)
            station.waiter = loop.create_future()  # settled by the handshake's answer
            try:
                await loop.create_connection(lambda: station, self.host, self.port)
                await asyncio.wait_for(station.waiter, self.timeout)
                for action, payload in self.boot_frames:
                    answer = await station.call(action, payload, self.timeout)
                    if action == "BootNotification" and '"Accepted"' not in answer:
                        raise _RawError(NOT_ACCEPTED)
            except (OSError, asyncio.TimeoutError, _RawError) as exc:
                label = str(exc) if isinstance(exc, _RawError) else CONNECT_FAILED
                self.stats.errors[label] += 1
                self.failures.append(f"{name}: {label}: {exc!r}")
                station._abort()
                return None
        return station

    async def load(
        self,
        duration: float,
        on_open: "Optional[Callable[[], None]]" = None,
        on_close: "Optional[Callable[[], None]]" = None,
    ) -> None:
        self.stopping = False
        loops = [station.start_loop() for station in self.stations]
        await measure_window(
            self.stats, loops, duration, self.timeout, self._stop, on_open, on_close
        )

    def _stop(self) -> None:
        self.stopping = True

    async def close_all(self) -> None:
        await asyncio.gather(*(station.close() for station in self.stations))


# -- under the control of bench/e2e.py ---------------------------------------------------


async def _controlled(args: argparse.Namespace) -> int:
    """The phases of the module's docstring."""
    loop = asyncio.get_running_loop()
    out: IO[str] = sys.stdout

    def say(event: str, **fields: Any) -> None:
        out.write(json.dumps({"event": event, **fields}) + "\n")
        out.flush()

    async def wait_for_line() -> None:
        await loop.run_in_executor(None, sys.stdin.readline)

    names = [f"{args.prefix}{n}" for n in range(1, args.count + 1)]
    run: Any
    if args.wire == "raw":
        run = RawLoadRun(args.csms, names, args.ocpp, timeout=args.timeout)
    else:
        run = LoadRun(args.csms, names, args.ocpp, timeout=args.timeout)
    await run.connect_all()
    say("ready", connected=run.stats.connected, failures=run.failures[:5])
    await wait_for_line()
    await run.load(args.duration, lambda: say("window"), lambda: say("window closed"))
    summary = run.stats.summary(len(names), args.ocpp)
    say("loaded", **summary, failures=run.failures[:5])
    await wait_for_line()
    await run.close_all()
    say("closed")
    return 0


def main(argv: "Optional[list[str]]" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csms", required=True)
    parser.add_argument("--ocpp", default="1.6", choices=("1.6", "2.0.1", "2.1"))
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--prefix", default="LOAD")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--wire", choices=("typed", "raw"), default="raw")
    args = parser.parse_args(argv)
    return asyncio.run(_controlled(args))


if __name__ == "__main__":
    sys.exit(main())
