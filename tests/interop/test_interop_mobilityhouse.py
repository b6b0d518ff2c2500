"""ocpp_asyncio against the mobilityhouse `ocpp` package (2.1.0) on `websockets`, over
loopback TCP, for 1.6, 2.0.1 and 2.1, both directions:

- their station -> our CSMS, and our station -> their CSMS: boot, heartbeat, status,
  authorize, a whole transaction with meter values (tests/interop/flows.py);
- the CSMS's remote start, answered, then followed by the transaction it starts.

Each side checks that it received exactly the payloads the other sent.
"""

import asyncio
import collections

import ocpp_asyncio
import pytest
import websockets
from ocpp.charge_point import remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.routing import after, on
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import serve as ws_serve

from ocpp_core.handlers import messages_of
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.interop import flows

pytestmark = pytest.mark.timeout(60)


def their_wire(result):
    return snake_to_camel_case(remove_nones(serialize_as_dict(result)))


async def wait_until(predicate, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def our_csms_router(version, expected, received):
    """Answers each CALL with the response of the next expected step."""

    def handle(conn, request):
        action, _, response = expected.popleft()
        received.append((messages_of(version).ACTION_OF[type(request)], flows.wire(request)))
        return flows.ours(version, "response", action, response)

    router = ocpp_asyncio.Router()
    for action in {step[0] for step in expected}:
        router.add(messages_of(version).REQUESTS[action], handle)
    return router


def their_station_class(version):
    ChargePoint, call, call_result = flows.their_modules(version)
    action, _, response = flows.remote_start(version)
    follow_action, follow_request, _ = flows.remote_started(version)

    def on_remote(self, **kwargs):
        self.remote_starts.append(snake_to_camel_case(kwargs))
        return flows.theirs(call_result, action, response)

    async def after_remote(self, **kwargs):
        # The transaction the remote start asked for.
        result = await self.call(flows.theirs(call, follow_action, follow_request), suppress=False)
        self.followups.append(their_wire(result))

    attrs = {"on_remote": on(action)(on_remote), "after_remote": after(action)(after_remote)}
    return type("TheirStation", (ChargePoint,), attrs)


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_their_station_against_our_csms(version):
    _, call, _ = flows.their_modules(version)
    flow = flows.station_flow(version)
    follow = flows.remote_started(version)
    expected = collections.deque([*flow, follow])
    received = []

    async def scenario():
        router = our_csms_router(version, expected, received)
        config = CsmsConfig(path_prefix="/ocpp/", versions=(version,))
        async with await ocpp_asyncio.serve(config, router=router) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp/THEIRS"
            async with ws_connect(url, subprotocols=[flows.SUBPROTOCOL[version]]) as ws:
                station = their_station_class(version)("THEIRS", ws)
                station.remote_starts, station.followups = [], []
                task = asyncio.ensure_future(station.start())
                answers = []
                for action, request, _ in flow:
                    result = await station.call(flows.theirs(call, action, request), suppress=False)
                    answers.append(their_wire(result))
                # The backend calls the station by identity: remote start.
                conn = await server.wait_for_station("THEIRS", 5)
                action, request, _ = flows.remote_start(version)
                answer = await conn.call(flows.ours(version, "request", action, request))
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


def their_csms_class(version, expected, received):
    ChargePoint, _, call_result = flows.their_modules(version)

    def make(action):
        def handler(self, **kwargs):
            step_action, _, response = expected.popleft()
            received.append((action, snake_to_camel_case(kwargs)))
            assert step_action == action
            return flows.theirs(call_result, action, response)

        # mobilityhouse routes by the function's __name__, which must be the attribute.
        handler.__name__ = f"on_{action}"
        return on(action)(handler)

    attrs = {f"on_{action}": make(action) for action in {step[0] for step in expected}}
    return type("TheirCsms", (ChargePoint,), attrs)


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_our_station_against_their_csms(version):
    _, call, _ = flows.their_modules(version)
    flow = flows.station_flow(version)
    follow = flows.remote_started(version)
    expected = collections.deque([*flow, follow])
    received = []
    Csms = their_csms_class(version, expected, received)

    async def scenario():
        csms_ready = asyncio.get_running_loop().create_future()

        async def handler(ws):
            csms = Csms(ws.request.path.rsplit("/", 1)[1], ws)
            csms_ready.set_result(csms)
            try:
                await csms.start()
            except websockets.ConnectionClosed:
                pass

        remote_starts, followups = [], []
        router = ocpp_asyncio.Router()
        action, _, response = flows.remote_start(version)

        async def start_transaction(conn):
            answer = await conn.call(flows.ours(version, "request", follow[0], follow[1]))
            followups.append(flows.wire(answer))

        def on_remote_start(conn, request):
            remote_starts.append(flows.wire(request))
            asyncio.get_running_loop().create_task(start_transaction(conn))
            return flows.ours(version, "response", action, response)

        router.add(messages_of(version).REQUESTS[action], on_remote_start)
        subprotocols = [flows.SUBPROTOCOL[version]]
        async with ws_serve(handler, "127.0.0.1", 0, subprotocols=subprotocols) as ws_server:
            port = next(iter(ws_server.sockets)).getsockname()[1]
            config = StationConfig(
                url=f"ws://127.0.0.1:{port}/ocpp", identity="OURS", versions=(version,)
            )
            conn = await ocpp_asyncio.connect(config, router, auto_heartbeat=False)
            answers = []
            for step_action, request, _ in flow:
                answer = await conn.call(flows.ours(version, "request", step_action, request))
                answers.append(flows.wire(answer))
            csms = await csms_ready
            assert csms.id == "OURS"
            remote = await csms.call(
                flows.theirs(call, action, flows.remote_start(version)[1]), suppress=False
            )
            await wait_until(lambda: followups)
            closed = await conn.close()
        return answers, their_wire(remote), remote_starts, followups, closed

    answers, remote, remote_starts, followups, closed = asyncio.run(scenario())
    assert answers == [response for _, _, response in flow]
    assert received == [(a, request) for a, request, _ in [*flow, follow]]
    assert remote == flows.remote_start(version)[2]
    assert remote_starts == [flows.remote_start(version)[1]]
    assert followups == [follow[2]]
    assert (closed.code, closed.clean) == (1000, True)
    assert not expected
