"""Generic calls and generic handlers through each binding over loopback: the scenarios
of generic_scenarios.py (written once) for asyncio, trio and threads x 1.6, 2.0.1,
2.1; OperationNotAvailable raised by `call()` with nothing sent; and, with asyncio's
reconnecting Station, 1.6 transaction ids kept across a reconnect."""

import asyncio
from typing import Any

import ocpp_asyncio
import pytest

import ocpp_core.generic as G
from ocpp_core.generic_session import GenericConfig
from ocpp_core.handlers import Backoff, Router
from ocpp_core.versions import V16, V21, V201
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings.generic_scenarios import (
    EVSE,
    TOKEN,
    Csms,
    StationController,
    at,
    charging_session,
    remote_start,
    tx_event,
)

pytestmark = pytest.mark.timeout(60)

VERSIONS = [V16, V201, V21]


def station_config(url: str, version: str, identity: str = "CP-G1") -> StationConfig:
    return StationConfig(url=url, identity=identity, versions=(version,))


@pytest.mark.parametrize("version", VERSIONS)
def test_generic_session_and_remote_start_through_each_binding(adapter: Any, version: str) -> None:
    csms, station = Csms(), StationController()
    router = csms.install(Router())
    # A generic handler the binding's native slow way (asyncio / trio: an async one).
    router.add(G.HeartbeatRequest, adapter.slow(0.01, csms.heartbeat))
    server = adapter.serve(CsmsConfig(path_prefix="/ocpp/"), router)
    conn = adapter.connect(station_config(server.url(), version), station.install(Router()))
    at_csms = server.connection("CP-G1")
    assert conn.version == at_csms.version == version
    charging_session(version, conn.call, csms)
    remote_start(version, conn.call, at_csms.call, csms, station)


def test_operation_not_available_is_raised_before_sending(adapter: Any) -> None:
    server = adapter.serve(CsmsConfig(path_prefix="/ocpp/"), Router())
    station = StationController()
    adapter.connect(station_config(server.url(), V16), station.install(Router()))
    at_csms = server.connection("CP-G1")
    sent: list[str] = []
    at_csms.native.core.on_frame = lambda direction, text: sent.append(direction + text)
    with pytest.raises(G.OperationNotAvailable, match="GetTransactionStatus"):
        at_csms.call(G.GetTransactionStatusRequest(transaction_id="1"))
    with pytest.raises(G.NotRepresentable):  # not a 1.6 transaction id: not sent either
        at_csms.call(G.RequestStopTransactionRequest(transaction_id="not-a-number"))
    assert sent == []
    # The connection is as it was: the next generic CALL goes out and is answered.
    answer = at_csms.call(G.RequestStartTransactionRequest(id_token=TOKEN, evse_id=1))
    assert answer.status == "Accepted" and len(sent) == 2


def test_1_6_transaction_ids_survive_a_reconnect_of_the_asyncio_station() -> None:
    ids = G.TransactionIds()
    csms = Csms()
    factory = iter(range(900, 999)).__next__  # CSMS-wide 1.6 transaction ids

    async def scenario() -> None:
        server = await ocpp_asyncio.serve(
            CsmsConfig(path_prefix="/ocpp/"),
            router=csms.install(Router()),
            generic=GenericConfig(transaction_id_factory=factory),
        )
        async with server:
            station = ocpp_asyncio.Station(
                station_config(f"ws://127.0.0.1:{server.port}/ocpp", V16),
                backoff=Backoff(initial=0.05, maximum=0.05),
                generic=GenericConfig(transaction_ids=ids),
            )
            async with station:
                first = await station.wait_connected(5)
                started = tx_event(
                    "Started", "tx-r", 0, 0, "Authorized", evse=EVSE, id_token=TOKEN, meter_start=5
                )
                await first.call(started)
                await (await server.wait_for_station("CP-G1", 5)).close(1001, "restart")
                while station.connection is first:  # until the Station has reconnected
                    await asyncio.sleep(0.01)
                second = await station.wait_connected(5)
                ended = tx_event("Ended", "tx-r", 1, 9, "StopAuthorized", meter_stop=77)
                answer = await second.call(ended)
                assert isinstance(answer, G.TransactionEventResponse)
                assert station.connects == 2

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert [(e.event_type, e.transaction_id) for e in csms.events] == [
        ("Started", "900"),
        ("Ended", "900"),
    ]
    assert csms.events[1].meter_stop_wh() == 77 and ids.sizes() == (0, 0)
    assert at(0) == csms.events[0].timestamp
