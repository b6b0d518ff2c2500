"""The simulators in-process, over real loopback connections (ocpp_asyncio): the CSMS
answers every station-initiated action of every version validly and accepting, and
the station scenarios behave as documented."""

import asyncio
import datetime
import importlib
import json
from typing import Any

import ocpp_asyncio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocpp_cli.accepting import accepting_response
from ocpp_cli.sim import Stats
from ocpp_cli.simcsms import CsmsSimulator
from ocpp_cli.simstation import StationRun
from schema_strategies import valid_payloads
from test_cli_support import ROOT  # noqa: F401  (puts bindings/ on sys.path)

from ocpp_core.codec import Codec
from ocpp_core.ws import CsmsConfig, StationConfig

VERSIONS = ("1.6", "2.0.1", "2.1")
PACKAGES = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
NOW = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.timezone.utc)


def station_actions(version: str) -> "list[str]":
    schema = importlib.import_module(f"ocpp_core.{PACKAGES[version]}.schema")
    return sorted(
        action
        for action, (sender, _, response) in schema.ACTIONS.items()
        if sender != "csms" and response is not None
    )


def accepting(version: str, action: str, response: Any) -> bool:
    """Every status the answer carries (top level, idTagInfo / idTokenInfo) accepts."""
    wire = json.loads(Codec(version).encode_result("1", response))[2]
    statuses = [wire.get("status")]
    for key in ("idTagInfo", "idTokenInfo"):
        if isinstance(wire.get(key), dict):
            statuses.append(wire[key].get("status"))
    return all(status in (None, "Accepted") for status in statuses)


@pytest.mark.parametrize("version", VERSIONS)
def test_accepting_response_is_valid_for_every_station_action(version):
    codec = Codec(version)
    actions = station_actions(version)
    assert "BootNotification" in actions and "Heartbeat" in actions
    for action in actions:
        response = accepting_response(version, action, NOW)
        text = codec.encode_result("7", response)  # validates against the schema
        decoded = codec.decode_response(action, codec.decode_frame(text).payload)
        assert decoded.message == response
        assert accepting(version, action, response), (action, text)


async def _serve(csms: CsmsSimulator) -> Any:
    config = CsmsConfig(path_prefix="/ocpp/", versions=csms.versions)
    return await ocpp_asyncio.serve(
        config, port=0, router=csms.router, on_connected=csms.on_connected
    )


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_csms_answers_any_valid_station_request_validly_and_accepting(version, data):
    schema = importlib.import_module(f"ocpp_core.{PACKAGES[version]}.schema")
    codec = Codec(version)
    requests = []
    for action in station_actions(version):
        payload = data.draw(valid_payloads(schema.TYPES, schema.ACTIONS[action][1]), label=action)
        frame = codec.decode_frame(json.dumps([2, "m", action, payload]))
        requests.append((action, codec.decode_request(action, frame.payload).message))

    async def scenario() -> "list[tuple[str, Any]]":
        csms = CsmsSimulator((version,))
        server = await _serve(csms)
        async with server:
            config = StationConfig(
                url=f"ws://127.0.0.1:{server.port}/ocpp", identity="ANY1", versions=(version,)
            )
            conn = await ocpp_asyncio.connect(config, auto_heartbeat=False)
            # call() raises InvalidResponse for an answer the schema refuses and
            # CallError for a CALLERROR: every answer must be a valid CALLRESULT.
            answers = [
                (action, await conn.call(request, timeout=5)) for action, request in requests
            ]
            await conn.close()
        return answers

    for action, response in asyncio.run(scenario()):
        assert accepting(version, action, response), action


@pytest.mark.parametrize("version", VERSIONS)
def test_a_remote_start_outside_the_remote_scenario_is_rejected(version):
    async def scenario() -> "tuple[bool, dict[str, str]]":
        csms = CsmsSimulator((version,), remote_start_after=0.0)
        server = await _serve(csms)
        async with server:
            run = StationRun(f"ws://127.0.0.1:{server.port}/ocpp", "BUSY1", version, "charge")
            ok = await run.run()
            await asyncio.sleep(0.05)
        return ok, csms.remote_starts

    ok, answers = asyncio.run(scenario())
    assert ok
    assert answers == {"BUSY1": "Rejected"}


@pytest.mark.parametrize("version", VERSIONS)
def test_station_fails_when_the_csms_refuses_the_boot(version):
    class Refusing(CsmsSimulator):
        def handle(self, conn: Any, request: Any) -> Any:
            import ocpp_core.generic as G

            if isinstance(request, G.BootNotificationRequest):
                return G.BootNotificationResponse(status="Rejected", current_time=NOW, interval=5)
            return CsmsSimulator.handle(self, conn, request)

    async def scenario() -> "tuple[bool, Any, Stats]":
        csms = Refusing((version,))
        server = await _serve(csms)
        async with server:
            run = StationRun(f"ws://127.0.0.1:{server.port}/ocpp", "NOPE1", version, "boot")
            ok = await run.run()
        return ok, run.failure, run.stats

    ok, failure, stats = asyncio.run(scenario())
    assert not ok
    assert failure == "BootNotification: Rejected"
    assert dict(stats.errors) == {"NotAccepted": 1}
    assert stats.calls == 1


def test_fleet_identities_count_from_the_number_of_id():
    from ocpp_cli.station import identities

    assert identities("CP1", 1) == ["CP1"]
    assert identities("CP1", 3) == ["CP1", "CP2", "CP3"]
    assert identities("CP", 2) == ["CP1", "CP2"]
    assert identities("BAY-07", 2) == ["BAY-07", "BAY-08"]
    assert identities("CP09", 2) == ["CP09", "CP10"]
    assert identities("CP-1-10", 2) == ["CP-1-10", "CP-1-11"]


def test_summary_percentiles_and_errors():
    from ocpp_cli.fleet import summary_lines

    stats = Stats()
    stats.calls = 200
    stats.latencies = [n / 1000 for n in range(1, 101)]  # 1..100 ms
    stats.errors.update({"NotSupported": 2, "Timeout": 1})
    assert summary_lines(stats, stations=4, failed=1, elapsed=2.0) == [
        "stations: 4 (3 passed, 1 failed) in 2.00 s",
        "calls sent: 200 (100.0 calls/s), calls received: 0",
        "latency: p50 50.0 ms, p99 99.0 ms",
        "errors: NotSupported 2, Timeout 1",
    ]
    assert summary_lines(Stats(), 1, 1, 0.5)[2:] == ["latency: no answered calls", "errors: none"]


def test_identity_from_any_path_is_the_last_segment():
    from ocpp_core.ws.identity import IdentityError, identity_from_target

    assert identity_from_target("/ocpp/CP1", None) == "CP1"
    assert identity_from_target("/CP1?x=1", None) == "CP1"
    assert identity_from_target("/a/b/c/RDAM%20123", None) == "RDAM 123"
    for target in ("/ocpp/", "/", "*", "http://host/CP1"):
        with pytest.raises(IdentityError):
            identity_from_target(target, None)
    # A prefix still takes only the one segment under it.
    assert identity_from_target("/ocpp/CP1", "/ocpp/") == "CP1"
    with pytest.raises(IdentityError):
        identity_from_target("/other/CP1", "/ocpp/")
    assert CsmsConfig(path_prefix=None).path_prefix is None
