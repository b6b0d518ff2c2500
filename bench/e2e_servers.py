"""The three CSMS servers of bench/e2e.py, one per process:

    python bench/e2e_servers.py ours|mh|echo [--ocpp 1.6] [--profile FILE]

Each listens on 127.0.0.1 (a free port), prints `listening PORT` once it accepts, and
runs until SIGTERM / SIGINT. All three answer BootNotification (Accepted), Heartbeat,
StatusNotification and MeterValues:

  ours   the ocpp_asyncio CSMS (ocpp_core: handshake, framing, RPC, the msgspec codec
         validating every frame in and out) with typed handlers;
  mh     mobilityhouse `ocpp` 2.1.0: a ChargePoint per connection on a `websockets`
         server, with the same handlers (`@on`), as its README sets it up;
  echo   the floor: a bare `websockets` server that answers every frame with a canned
         CALLRESULT, the message id cut out of the text by position and the canned
         payload chosen by the action's name, without parsing JSON or validating.

bench/e2e.py warms each server up with a short load before it reads the RSS with no
connection, so that the code and caches loaded on first use are in that baseline.
"""

import argparse
import asyncio
import datetime
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bindings")]  # run from a checkout without an install

HEARTBEAT_INTERVAL = 300


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# -- ours ----------------------------------------------------------------------------------


def ours_router(version: str) -> Any:
    from ocpp_asyncio import Router

    from ocpp_core.handlers import messages_of

    m = messages_of(version)
    router = Router()

    def boot(conn: Any, request: Any) -> Any:
        return m.BootNotificationResponse(
            status="Accepted", current_time=utcnow(), interval=HEARTBEAT_INTERVAL
        )

    def heartbeat(conn: Any, request: Any) -> Any:
        return m.HeartbeatResponse(current_time=utcnow())

    def status(conn: Any, request: Any) -> Any:
        return m.StatusNotificationResponse()

    def meter_values(conn: Any, request: Any) -> Any:
        return m.MeterValuesResponse()

    router.add(m.BootNotificationRequest, boot)
    router.add(m.HeartbeatRequest, heartbeat)
    router.add(m.StatusNotificationRequest, status)
    router.add(m.MeterValuesRequest, meter_values)
    return router


async def serve_ours(version: str) -> Any:
    import ocpp_asyncio

    from ocpp_core.ws import CsmsConfig

    server = await ocpp_asyncio.serve(
        CsmsConfig(path_prefix="/ocpp/", versions=(version,)),
        host="127.0.0.1",
        port=0,
        router=ours_router(version),
    )
    return server, server.port


# -- mobilityhouse ---------------------------------------------------------------------------

_MH_PACKAGES = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
_SUBPROTOCOLS = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}


def mh_charge_point_class(version: str) -> Any:
    import importlib

    from ocpp.routing import on

    package = _MH_PACKAGES[version]
    base = importlib.import_module(f"ocpp.{package}").ChargePoint
    result = importlib.import_module(f"ocpp.{package}.call_result")

    class BenchChargePoint(base):  # type: ignore[misc, valid-type]
        @on("BootNotification")  # type: ignore[untyped-decorator]
        def on_boot(self, **payload: Any) -> Any:
            return result.BootNotification(
                current_time=utcnow().isoformat(), interval=HEARTBEAT_INTERVAL, status="Accepted"
            )

        @on("Heartbeat")  # type: ignore[untyped-decorator]
        def on_heartbeat(self, **payload: Any) -> Any:
            return result.Heartbeat(current_time=utcnow().isoformat())

        @on("StatusNotification")  # type: ignore[untyped-decorator]
        def on_status(self, **payload: Any) -> Any:
            return result.StatusNotification()

        @on("MeterValues")  # type: ignore[untyped-decorator]
        def on_meter_values(self, **payload: Any) -> Any:
            return result.MeterValues()

    return BenchChargePoint


async def serve_mh(version: str) -> Any:
    from websockets.asyncio.server import serve
    from websockets.typing import Subprotocol

    charge_point = mh_charge_point_class(version)

    async def on_connect(websocket: Any) -> None:
        identity = websocket.request.path.strip("/").split("/")[-1]
        cp = charge_point(identity, websocket)
        try:
            await cp.start()
        except Exception:  # ConnectionClosed: the station left
            pass

    server = await serve(
        on_connect, "127.0.0.1", 0, subprotocols=[Subprotocol(_SUBPROTOCOLS[version])]
    )
    return server, server.sockets[0].getsockname()[1]


# -- echo ------------------------------------------------------------------------------------


def echo_bodies() -> "dict[str, str]":
    stamp = utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "BootNotification": (
            f'{{"status":"Accepted","currentTime":"{stamp}","interval":{HEARTBEAT_INTERVAL}}}]'
        ),
        "Heartbeat": f'{{"currentTime":"{stamp}"}}]',
    }


async def serve_echo(version: str) -> Any:
    from websockets.asyncio.server import serve
    from websockets.typing import Subprotocol

    bodies = echo_bodies()
    empty = "{}]"

    async def on_connect(websocket: Any) -> None:
        # A frame from the load is `[2,"<id>","<Action>",{...}]`, compact: the id ends at
        # the first quote after position 4, the action right after `","`.
        try:
            async for text in websocket:
                end = text.index('"', 4)
                action = text[end + 3 : text.index('"', end + 3)]
                await websocket.send("[3," + text[3 : end + 1] + "," + bodies.get(action, empty))
        except Exception:  # ConnectionClosed
            pass

    server = await serve(
        on_connect, "127.0.0.1", 0, subprotocols=[Subprotocol(_SUBPROTOCOLS[version])]
    )
    return server, server.sockets[0].getsockname()[1]


# ---------------------------------------------------------------------------------------------

SERVERS = {"ours": serve_ours, "mh": serve_mh, "echo": serve_echo}


def _sketches() -> None:
    # bench/e2e_sketch.py: the README's proposals measured outside the binding.
    from e2e_sketch import serve_lean, serve_proto, serve_shared

    SERVERS.update(shared=serve_shared, proto=serve_proto, lean=serve_lean)


_sketches()


async def _main(kind: str, version: str) -> None:
    server, port = await SERVERS[kind](version)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    sys.stdout.write(f"listening {port}\n")
    sys.stdout.flush()
    await stop.wait()
    closing = server.close()  # ours: a coroutine (close handshakes); websockets: not
    if closing is not None:
        await closing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=sorted(SERVERS))
    parser.add_argument("--ocpp", default="1.6", choices=sorted(_SUBPROTOCOLS))
    parser.add_argument("--profile", metavar="FILE", help="cProfile the server into FILE")
    args = parser.parse_args()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            asyncio.run(_main(args.kind, args.ocpp))
        finally:
            profiler.disable()
            profiler.dump_stats(args.profile)
    else:
        asyncio.run(_main(args.kind, args.ocpp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
