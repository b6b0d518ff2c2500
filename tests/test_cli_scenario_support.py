"""Shared helpers of the scenario / bad-frame CLI tests (no tests here): a scenario CSMS
in the background, and the mobilityhouse `ocpp` package as an independent peer on
loopback (a CSMS in a thread, a charging station in the test's event loop)."""

import asyncio
import datetime
import threading
from typing import Any

import websockets
from ocpp.charge_point import camel_to_snake_case
from ocpp.routing import after, on
from test_cli_sim_support import BackgroundCsms
from test_cli_support import ROOT
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import serve as ws_serve

EXAMPLES = ROOT / "docs" / "examples"
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def their_modules(version: str) -> Any:
    if version == "1.6":
        from ocpp.v16 import ChargePoint, call, call_result
    elif version == "2.0.1":
        from ocpp.v201 import ChargePoint, call, call_result
    else:
        from ocpp.v21 import ChargePoint, call, call_result
    return ChargePoint, call, call_result


class ScenarioCsms(BackgroundCsms):
    """`ocpp-toolkit csms --port 0 --scenario FILE ...` in the background; it exits by
    itself once the scenario ran (`finish`)."""

    def finish(self, timeout: float = 30) -> "tuple[int, str]":
        """Wait for it to exit: (exit status, everything it printed)."""
        try:
            self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        self.output.seek(0)
        text = self.output.read()
        self.output.close()
        return self.process.returncode, text


# -- their charging station ----------------------------------------------------------------


def their_station_class(version: str) -> Any:
    """A mobilityhouse station that accepts a remote start and then starts the
    transaction (1.6 StartTransaction, 2.x TransactionEvent Started / RemoteStart)."""
    ChargePoint, call, call_result = their_modules(version)
    if version == "1.6":

        def on_remote(self: Any, id_tag: str, **kwargs: Any) -> Any:
            return call_result.RemoteStartTransaction(status="Accepted")

        async def after_remote(self: Any, id_tag: str, **kwargs: Any) -> None:
            await self.call(
                call.StartTransaction(
                    connector_id=kwargs.get("connector_id", 1),
                    id_tag=id_tag,
                    meter_start=0,
                    timestamp=now(),
                )
            )

        action = "RemoteStartTransaction"
    else:

        def on_remote(self: Any, id_token: Any, remote_start_id: int, **kwargs: Any) -> Any:
            return call_result.RequestStartTransaction(status="Accepted")

        async def after_remote(self: Any, id_token: Any, remote_start_id: int, **kw: Any) -> None:
            info = {"transaction_id": "THEIR-TX-1", "remote_start_id": remote_start_id}
            await self.call(
                call.TransactionEvent(
                    event_type="Started",
                    timestamp=now(),
                    trigger_reason="RemoteStart",
                    seq_no=0,
                    transaction_info=info,
                    id_token=camel_to_snake_case(id_token),
                    evse={"id": 1, "connector_id": 1},
                )
            )

        action = "RequestStartTransaction"
    attrs = {"on_remote": on(action)(on_remote), "after_remote": after(action)(after_remote)}
    return type("TheirStation", (ChargePoint,), attrs)


async def run_their_station(url: str, version: str, identity: str, linger: float = 5.0) -> None:
    """Connect their station to `url`/`identity`, boot, and stay until the CSMS closes
    the connection (or `linger` seconds pass)."""
    _, call, _ = their_modules(version)
    subprotocol = SUBPROTOCOL[version]
    async with ws_connect(f"{url}/{identity}", subprotocols=[subprotocol]) as ws:  # type: ignore[list-item]
        station = their_station_class(version)(identity, ws)
        task = asyncio.ensure_future(station.start())
        if version == "1.6":
            boot = call.BootNotification(charge_point_vendor="Their", charge_point_model="CP")
        else:
            boot = call.BootNotification(
                reason="PowerUp", charging_station={"vendor_name": "Their", "model": "CS"}
            )
        await station.call(boot)
        try:
            await asyncio.wait_for(ws.wait_closed(), linger)
        except asyncio.TimeoutError:
            pass
        task.cancel()


# -- their CSMS ----------------------------------------------------------------------------


def their_csms_class(version: str) -> Any:
    ChargePoint, _, call_result = their_modules(version)

    def on_boot(self: Any, **kwargs: Any) -> Any:
        return call_result.BootNotification(current_time=now(), interval=300, status="Accepted")

    def on_heartbeat(self: Any, **kwargs: Any) -> Any:
        return call_result.Heartbeat(current_time=now())

    def on_status(self: Any, **kwargs: Any) -> Any:
        return call_result.StatusNotification()

    def on_authorize(self: Any, **kwargs: Any) -> Any:
        if version == "1.6":
            return call_result.Authorize(id_tag_info={"status": "Accepted"})
        return call_result.Authorize(id_token_info={"status": "Accepted"})

    handlers = {
        "BootNotification": on_boot,
        "Heartbeat": on_heartbeat,
        "StatusNotification": on_status,
        "Authorize": on_authorize,
    }
    attrs = {}
    for action, handler in handlers.items():
        handler.__name__ = f"on_{action}"  # mobilityhouse routes by the attribute name
        attrs[f"on_{action}"] = on(action)(handler)
    return type("TheirCsms", (ChargePoint,), attrs)


class TheirCsms:
    """A mobilityhouse CSMS for `version` on loopback, served from its own thread."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self.loop)
        future.result(timeout=10)

    async def _start(self) -> None:
        csms_class = their_csms_class(self.version)

        async def handler(ws: Any) -> None:
            csms = csms_class(ws.request.path.rsplit("/", 1)[-1], ws)
            try:
                await csms.start()
            except websockets.ConnectionClosed:
                pass

        self.server = await ws_serve(
            handler,
            "127.0.0.1",
            0,
            subprotocols=[SUBPROTOCOL[self.version]],  # type: ignore[list-item]
        )
        self.port = next(iter(self.server.sockets)).getsockname()[1]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
