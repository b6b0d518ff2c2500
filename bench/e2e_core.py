"""Where our server's CPU per call goes, layer by layer, without sockets or event loop:

    .venv/bin/python bench/e2e_core.py [--ocpp 1.6] [--calls 20000]

The same traffic as bench/e2e.py (alternate Heartbeat and MeterValues CALLs, each
answered by a typed handler's response), timed in process at three depths of the
sans-IO stack; bench/e2e.py's CPU per call minus the first line is what the asyncio
binding, the event loop and the system calls cost:

  CsmsConnection   receive_data(masked WebSocket frame) -> CallReceived -> reply ->
                   data_to_send(): everything ocpp_core does per call (WebSocket
                   framing by wsproto, RPC session, codec);
  RpcSession       receive_message(text) -> CallReceived -> reply -> messages_to_send();
  Codec            decode_frame + decode_request + encode_result.

Best of `--repeats` passes, garbage collector off while timing.

`--memory N`: instead of timing, open N connections (handshake, accept, one Heartbeat
CALL answered), then report the bytes tracemalloc sees per idle connection, in total
and by allocation site (what a CSMS holds per station, without the binding's objects).
"""

import argparse
import base64
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bindings")]  # run from a checkout without an install


def call_texts(version: str, count: int) -> "list[str]":
    import msgspec
    from ocpp_cli.simload import Workload

    work = Workload(version)
    texts = []
    for n in range(count):
        request = work.loop[n & 1]
        action = type(request).__name__[: -len("Request")]
        payload = msgspec.json.encode(request).decode()
        texts.append(f'[2,"{n + 1}","{action}",{payload}]')
    return texts


def masked_frame(text: str, mask: bytes) -> bytes:
    payload = text.encode()
    length = len(payload)
    if length < 126:
        head = bytes((0x81, 0x80 | length))
    else:
        head = bytes((0x81, 0x80 | 126)) + length.to_bytes(2, "big")
    repeated = (mask * (length // 4 + 1))[:length]
    masked = int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")
    return head + mask + masked.to_bytes(length, "big")


def responses(version: str) -> "dict[str, Any]":
    import datetime

    from ocpp_core.handlers import messages_of

    m = messages_of(version)
    now = datetime.datetime.now(datetime.timezone.utc)
    return {
        "Heartbeat": m.HeartbeatResponse(current_time=now),
        "MeterValues": m.MeterValuesResponse(),
    }


_CONFIGS: "dict[str, Any]" = {}


def open_connection(version: str) -> Any:
    from ocpp_core import events as ev
    from ocpp_core.connection import CsmsConnection
    from ocpp_core.ws import CsmsConfig

    # One config for every connection, as a server has (--memory counts connections)
    config = _CONFIGS.get(version)
    if config is None:
        config = _CONFIGS[version] = CsmsConfig(path_prefix="/ocpp/", versions=(version,))
    core = CsmsConnection(config, now=0.0)
    key = base64.b64encode(os.urandom(16)).decode()
    subprotocol = "ocpp1.6" if version == "1.6" else "ocpp" + version
    request = (
        "GET /ocpp/CP1 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: {subprotocol}\r\n\r\n"
    )
    core.receive_data(request.encode(), 0.0)
    assert any(isinstance(event, ev.ConnectionRequested) for event in core.events())
    core.accept()
    core.data_to_send()
    list(core.events())
    return core


def connection_pass(version: str, texts: "list[str]") -> "Callable[[], int]":
    from ocpp_core import events as ev

    core = open_connection(version)
    answers = responses(version)
    mask = os.urandom(4)
    frames = [masked_frame(text, mask) for text in texts]
    call_received = ev.CallReceived

    def run() -> int:
        sent = 0
        for frame in frames:
            core.receive_data(frame, 1.0)
            for event in core.events():
                if isinstance(event, call_received):
                    core.reply(event.message_id, answers[event.action])
            sent += len(core.data_to_send())
            core.tick(1.0)
            core.next_deadline()
        return sent

    return run


def session_pass(version: str, texts: "list[str]") -> "Callable[[], int]":
    from ocpp_core import events as ev
    from ocpp_core.rpc import RpcSession

    session = RpcSession("csms", version, lambda: "x")
    answers = responses(version)
    call_received = ev.CallReceived

    def run() -> int:
        sent = 0
        for text in texts:
            session.receive_message(text, 1.0)
            for event in session.events():
                if isinstance(event, call_received):
                    session.reply(event.message_id, answers[event.action])
            sent += len(session.messages_to_send())
        return sent

    return run


def codec_pass(version: str, texts: "list[str]") -> "Callable[[], int]":
    from ocpp_core.codec import Codec

    codec = Codec(version)
    answers = responses(version)

    def run() -> int:
        sent = 0
        for text in texts:
            frame = codec.decode_frame(text)
            action = frame.action
            assert action is not None
            codec.decode_request(action, frame.payload)
            sent += len(codec.encode_result(frame.message_id, answers[action]))
        return sent

    return run


def memory_report(version: str, count: int, top: int) -> None:
    import tracemalloc

    texts = call_texts(version, 2)
    answers = responses(version)
    mask = os.urandom(4)
    frame = masked_frame(texts[0], mask)
    from ocpp_core import events as ev

    def open_idle() -> Any:
        core = open_connection(version)
        core.receive_data(frame, 1.0)
        for event in core.events():
            if isinstance(event, ev.CallReceived):
                core.reply(event.message_id, answers[event.action])
        core.data_to_send()
        core.tick(1.0)
        core.next_deadline()
        return core

    keep = [open_idle()]  # warm-up: imports, module caches, first decoders
    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    keep += [open_idle() for _ in range(count)]
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = after.compare_to(before, "lineno")
    total = sum(stat.size_diff for stat in stats)
    print(f"bytes per idle connection, OCPP {version}, {count} connections: {total / count:,.0f}")
    for stat in stats[:top]:
        frame_info = stat.traceback[0]
        where = f"{Path(frame_info.filename).name}:{frame_info.lineno}"
        print(f"  {stat.size_diff / count:9,.0f}  {where}")
    del keep


def best(run: "Callable[[], int]", repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        gc.disable()
        try:
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ocpp", default="1.6", choices=("1.6", "2.0.1", "2.1"))
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory", type=int, metavar="N", default=0)
    parser.add_argument("--top", type=int, default=12, help="allocation sites with --memory")
    args = parser.parse_args(argv)
    if args.memory:
        memory_report(args.ocpp, args.memory, args.top)
        return 0
    print(f"µs per call (receive a CALL, answer it), OCPP {args.ocpp}, best of {args.repeats}")
    for label, factory in (
        ("CsmsConnection (ws + rpc + codec)", connection_pass),
        ("RpcSession (rpc + codec)", session_pass),
        ("Codec (decode + encode)", codec_pass),
    ):
        # Fresh texts per pass: a session keeps recent ids, a connection its state.
        texts = call_texts(args.ocpp, args.calls)
        seconds = best(factory(args.ocpp, texts), args.repeats)
        print(f"  {label:<36} {seconds / args.calls * 1e6:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
