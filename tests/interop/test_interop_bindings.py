"""The trio and threads bindings against the mobilityhouse `ocpp` package (2.1.0) on
`websockets`, over loopback, for 1.6, 2.0.1 and 2.1 (asyncio: test_interop_mobilityhouse):
their station -> our CSMS, our station -> their CSMS; boot, heartbeat, status,
authorize, a whole transaction with meter values, the CSMS's remote start and the
transaction it starts. Our side runs through the binding's test adapter
(tests/bindings/adapters.py: its own thread), theirs on asyncio in this one."""

import asyncio
import collections

import pytest
import websockets
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import serve as ws_serve

from ocpp_core.handlers import Router, messages_of
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings.adapters import ADAPTERS
from tests.interop import flows
from tests.interop.test_interop_mobilityhouse import (
    our_csms_router,
    their_csms_class,
    their_station_class,
    their_wire,
    wait_until,
)

pytestmark = pytest.mark.timeout(60)

BINDINGS = ["threads", "trio"]


@pytest.fixture(params=BINDINGS)
def ours(request):
    adapter = ADAPTERS[request.param]()
    yield adapter
    adapter.shutdown()


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_their_station_against_our_csms(ours, version):
    _, call, _ = flows.their_modules(version)
    flow = flows.station_flow(version)
    follow = flows.remote_started(version)
    expected = collections.deque([*flow, follow])
    received = []
    config = CsmsConfig(path_prefix="/ocpp/", versions=(version,))
    server = ours.serve(config, our_csms_router(version, expected, received))

    async def scenario():
        url = server.url("/ocpp/THEIRS")
        async with ws_connect(url, subprotocols=[flows.SUBPROTOCOL[version]]) as ws:
            station = their_station_class(version)("THEIRS", ws)
            station.remote_starts, station.followups = [], []
            task = asyncio.ensure_future(station.start())
            answers = []
            for action, request, _ in flow:
                result = await station.call(flows.theirs(call, action, request), suppress=False)
                answers.append(their_wire(result))
            # The backend (blocking, off this loop) calls the station: remote start.
            conn = await asyncio.to_thread(server.connection, "THEIRS", 5)
            action, request, _ = flows.remote_start(version)
            remote = flows.ours(version, "request", action, request)
            answer = await asyncio.to_thread(conn.call, remote, 5)
            await wait_until(lambda: station.followups)
            task.cancel()
        return answers, flows.wire(answer), station

    answers, remote_answer, station = asyncio.run(scenario())
    assert answers == [response for _, _, response in flow]
    assert received == [(action, request) for action, request, _ in [*flow, follow]]
    assert remote_answer == flows.remote_start(version)[2]
    assert station.remote_starts == [flows.remote_start(version)[1]]
    assert station.followups == [follow[2]]
    assert not expected


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_our_station_against_their_csms(ours, version):
    _, call, _ = flows.their_modules(version)
    flow = flows.station_flow(version)
    follow = flows.remote_started(version)
    expected = collections.deque([*flow, follow])
    received = []
    Csms = their_csms_class(version, expected, received)
    action, _, response = flows.remote_start(version)
    remote_starts = []
    router = Router()

    def on_remote_start(conn, request):
        remote_starts.append(flows.wire(request))
        return flows.ours(version, "response", action, response)

    router.add(messages_of(version).REQUESTS[action], on_remote_start)

    async def scenario():
        csms_ready = asyncio.get_running_loop().create_future()

        async def handler(ws):
            csms = Csms(ws.request.path.rsplit("/", 1)[1], ws)
            csms_ready.set_result(csms)
            try:
                await csms.start()
            except websockets.ConnectionClosed:
                pass

        subprotocols = [flows.SUBPROTOCOL[version]]
        async with ws_serve(handler, "127.0.0.1", 0, subprotocols=subprotocols) as ws_server:
            port = next(iter(ws_server.sockets)).getsockname()[1]
            config = StationConfig(
                url=f"ws://127.0.0.1:{port}/ocpp", identity="OURS", versions=(version,)
            )
            conn = await asyncio.to_thread(ours.connect, config, router)
            answers = []
            for step_action, request, _ in flow:
                typed = flows.ours(version, "request", step_action, request)
                answers.append(flows.wire(await asyncio.to_thread(conn.call, typed, 5)))
            csms = await csms_ready
            assert csms.id == "OURS"
            remote = await csms.call(
                flows.theirs(call, action, flows.remote_start(version)[1]), suppress=False
            )
            typed = flows.ours(version, "request", follow[0], follow[1])
            followed = flows.wire(await asyncio.to_thread(conn.call, typed, 5))
            closed = await asyncio.to_thread(conn.close)
        return answers, their_wire(remote), followed, closed

    answers, remote, followed, closed = asyncio.run(scenario())
    assert answers == [response for _, _, response in flow]
    assert received == [(a, request) for a, request, _ in [*flow, follow]]
    assert remote == flows.remote_start(version)[2]
    assert remote_starts == [flows.remote_start(version)[1]]
    assert followed == follow[2]
    assert (closed.code, closed.clean) == (1000, True)
    assert not expected
