"""The cross-binding matrix: a CSMS of one binding with a station of another (every
ordered pair of asyncio, trio and threads), for 1.6, 2.0.1 and 2.1: the whole station
flow of tests/interop/flows.py (boot, heartbeat, status, authorize, a transaction with
meter values), a remote start from the CSMS, then the close handshake."""

import collections
import itertools

import pytest

from ocpp_core import events as ev
from ocpp_core.handlers import Router, messages_of
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings.adapters import ADAPTERS
from tests.interop import flows

pytestmark = pytest.mark.timeout(60)

PAIRS = [pair for pair in itertools.permutations(sorted(ADAPTERS), 2)]


@pytest.fixture
def pair(request):
    csms_name, station_name = request.param
    adapters = (ADAPTERS[csms_name](), ADAPTERS[station_name]())
    yield adapters
    for adapter in reversed(adapters):
        adapter.shutdown()


@pytest.mark.parametrize("version", flows.VERSIONS)
@pytest.mark.parametrize("pair", PAIRS, indirect=True, ids=["-".join(p) for p in PAIRS])
def test_station_of_one_binding_against_csms_of_another(pair, version):
    csms_side, station_side = pair
    flow = flows.station_flow(version)
    follow = flows.remote_started(version)
    expected = collections.deque([*flow, follow])
    received = []

    def handle(conn, request):
        # Each CALL is answered with the response of the next step of the flow.
        action = messages_of(version).ACTION_OF[type(request)]
        received.append((conn.identity, action, flows.wire(request)))
        step_action, _, response = expected.popleft()
        assert step_action == action
        return flows.ours(version, "response", action, response)

    csms_router = Router()
    for action in {step[0] for step in expected}:
        csms_router.add(messages_of(version).REQUESTS[action], handle)
    remote_action, remote_request, remote_response = flows.remote_start(version)
    remote_starts = []
    station_router = Router()

    def on_remote_start(conn, request):
        remote_starts.append((conn.version, flows.wire(request)))
        return flows.ours(version, "response", remote_action, remote_response)

    station_router.add(messages_of(version).REQUESTS[remote_action], on_remote_start)
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.1", "2.0.1", "1.6"))
    server = csms_side.serve(config, csms_router)
    station = station_side.connect(
        StationConfig(url=server.url(), identity="CP-X", versions=(version,)), station_router
    )
    assert station.version == version
    replies = [
        flows.wire(station.call(flows.ours(version, "request", action, request)))
        for action, request, _ in flow
    ]
    assert replies == [response for _, _, response in flow]
    assert received == [("CP-X", action, request) for action, request, _ in flow]
    at_csms = server.connection("CP-X")
    answer = at_csms.call(flows.ours(version, "request", remote_action, remote_request))
    assert flows.wire(answer) == remote_response
    assert remote_starts == [(version, remote_request)]
    # The transaction the remote start asked for.
    followed = station.call(flows.ours(version, "request", follow[0], follow[1]))
    assert flows.wire(followed) == follow[2]
    assert not expected
    assert station.close(1000, "done") == ev.ConnectionClosed(1000, "done", ev.LOCAL, True)
    assert at_csms.wait_closed() == ev.ConnectionClosed(1000, "done", ev.REMOTE, True)
    assert server.identities() == []
