"""Live interop over loopback TCP with independent implementations.

- the `websockets` package as server and as client, with its keepalive pings and
  permessage-deflate on;
- the mobilityhouse `ocpp` package as the CSMS, against our StationConnection.

A small asyncio driver moves bytes between a socket and our sans-IO objects and runs
their timers from next_deadline(); it is test code, not a binding.
"""

import asyncio
import datetime
import time

import pytest
from ocpp.routing import on
from ocpp.v201 import ChargePoint as MobilityhouseChargePoint
from ocpp.v201 import call_result
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from ocpp_core import events as ev
from ocpp_core.connection import StationConnection
from ocpp_core.ids import CounterIds
from ocpp_core.v201 import messages as m201
from ocpp_core.ws import CsmsConfig, StationConfig, WsClient, WsServer

pytestmark = pytest.mark.timeout(30)


async def drive(endpoint, reader, writer, on_event, deadline=10.0):
    """Run `endpoint` on a socket until ConnectionClosed; return all events seen."""
    seen = []
    stop = time.monotonic() + deadline
    while True:
        out = endpoint.data_to_send()
        if out:
            writer.write(out)
            await writer.drain()
        if seen and isinstance(seen[-1], ev.ConnectionClosed):
            break
        now = time.monotonic()
        assert now < stop, f"no ConnectionClosed in time: {seen}"
        timer = endpoint.next_deadline()
        wait = 0.5 if timer is None else max(0.0, min(0.5, timer - now))
        try:
            data = await asyncio.wait_for(reader.read(65536), wait)
        except asyncio.TimeoutError:
            endpoint.tick(time.monotonic())
        else:
            endpoint.receive_data(data, time.monotonic())
        for event in endpoint.events():
            seen.append(event)
            on_event(endpoint, event)
    writer.close()
    return seen


def test_websockets_server_pings_and_our_client_answers():
    async def scenario():
        async def handler(ws):
            # websockets pings every 50 ms and closes with 1011 if a pong never comes.
            await asyncio.sleep(0.4)
            # `latency` is set when a keepalive pong came back.
            await ws.send("pong seen" if ws.latency > 0 else "no pong")
            assert await ws.recv() == "from client"
            await ws.close(1000, "done")

        async with serve(
            handler,
            "127.0.0.1",
            0,
            subprotocols=["ocpp2.0.1"],
            ping_interval=0.05,
            ping_timeout=3.0,
        ) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            client = WsClient(
                StationConfig(
                    url=f"ws://127.0.0.1:{port}/ocpp", identity="CP1", permessage_deflate=True
                ),
                now=time.monotonic(),
            )
            reader, writer = await asyncio.open_connection("127.0.0.1", port)

            def on_event(endpoint, event):
                if isinstance(event, ev.TextMessage):
                    endpoint.send_text("from client")

            return await drive(client, reader, writer, on_event)

    seen = asyncio.run(scenario())
    assert isinstance(seen[0], ev.Connected) and seen[0].extensions
    assert seen[1] == ev.TextMessage("pong seen")
    assert seen[-1] == ev.ConnectionClosed(1000, "done", ev.REMOTE, True)


def test_our_keepalive_against_websockets_server():
    async def scenario():
        async def handler(ws):
            await ws.wait_closed()

        async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            client = WsClient(
                StationConfig(
                    url=f"ws://127.0.0.1:{port}/",
                    identity="CP1",
                    ping_interval=0.05,
                    pong_timeout=5.0,
                ),
                now=time.monotonic(),
            )
            started = time.monotonic()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)

            def on_event(endpoint, event):
                pass

            async def closer():
                await asyncio.sleep(0.4)
                client.close(1000, "enough")

            task = asyncio.create_task(closer())
            seen = await drive(client, reader, writer, on_event)
            await task
            return seen, client._framing._ping_seq, time.monotonic() - started

    seen, pings, elapsed = asyncio.run(scenario())
    assert pings >= 3  # several ping/pong rounds, none timed out
    assert seen[-1] == ev.ConnectionClosed(1000, "enough", ev.LOCAL, True)
    assert elapsed < 20


@pytest.mark.parametrize("compression", ["deflate", None])
def test_websockets_client_against_our_server(compression):
    big = '[2,"1","DataTransfer",{"vendorId":"v","data":"' + "x" * 200_000 + '"}]'

    async def scenario():
        result = {}

        async def handle(reader, writer):
            server = WsServer(CsmsConfig(path_prefix="/ocpp/"), now=time.monotonic())

            def on_event(endpoint, event):
                if isinstance(event, ev.ConnectionRequested):
                    endpoint.accept()
                elif isinstance(event, ev.TextMessage):
                    endpoint.send_text(str(len(event.text)))

            result["server"] = await drive(server, reader, writer, on_event)

        tcp = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = tcp.sockets[0].getsockname()[1]
        async with connect(
            f"ws://127.0.0.1:{port}/ocpp/CP%2042",
            subprotocols=["ocpp2.1", "ocpp1.6"],
            compression=compression,
            ping_interval=None,
        ) as ws:
            assert ws.subprotocol == "ocpp2.1"
            await ws.send(big)
            result["echo"] = await ws.recv()
            await ws.send(iter(["[", "]"]))
            result["echo2"] = await ws.recv()
        await asyncio.sleep(0.05)
        tcp.close()
        return result

    result = asyncio.run(scenario())
    assert result["echo"] == str(len(big)) and result["echo2"] == "2"
    seen = result["server"]
    assert seen[0].identity == "CP 42"
    assert seen[-1] == ev.ConnectionClosed(1000, "", ev.REMOTE, True)


def test_our_station_against_mobilityhouse_csms():
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()

    class Csms(MobilityhouseChargePoint):
        @on("BootNotification")
        def on_boot(self, charging_station, reason, **kwargs):
            return call_result.BootNotification(current_time=now, interval=10, status="Accepted")

        @on("Heartbeat")
        def on_heartbeat(self, **kwargs):
            return call_result.Heartbeat(current_time=now)

    async def scenario():
        async def handler(ws):
            identity = ws.request.path.rsplit("/", 1)[1]
            await Csms(identity, ws).start()

        async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            station = StationConnection(
                StationConfig(url=f"ws://127.0.0.1:{port}/ocpp", identity="CP7"),
                id_factory=CounterIds(),
                now=time.monotonic(),
            )
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            results = []

            def on_event(conn, event):
                if isinstance(event, ev.Connected):
                    conn.call(
                        m201.BootNotificationRequest(
                            charging_station=m201.ChargingStation(model="M", vendor_name="V"),
                            reason=m201.BootReason.PowerUp,
                        ),
                        time.monotonic(),
                    )
                elif isinstance(event, ev.CallResultReceived):
                    results.append(event.message)
                    if len(results) == 1:
                        conn.call(m201.HeartbeatRequest(), time.monotonic())
                    else:
                        conn.close(1000, "bye")

            seen = await drive(station, reader, writer, on_event)
            return seen, results

    seen, results = asyncio.run(scenario())
    boot, heartbeat = results
    assert boot.status == m201.RegistrationStatus.Accepted and boot.interval == 10
    assert isinstance(heartbeat, m201.HeartbeatResponse)
    assert seen[-1] == ev.ConnectionClosed(1000, "bye", ev.LOCAL, True)
