"""Scenarios written once against the generic API (`ocpp_core.generic`), for every
transport: the in-memory ConnectionPair (tests/test_connection_generic.py) and each
binding over loopback (tests/bindings/test_generic_bindings.py).

A scenario gets `station_call(request)` / `csms_call(request)`: send a generic request
from that side and return the generic response (or raise what the binding raises).
The other side answers with the generic handlers of `Csms` / `StationController`,
installed on a `Router`. No test functions here.
"""

import datetime
from collections.abc import Callable
from typing import Any

import ocpp_core.generic as G
from ocpp_core.versions import V16

T0 = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.timezone.utc)
TOKEN = G.IdToken(id_token="TAG-1", type="ISO14443")
REMOTE_TOKEN = G.IdToken(id_token="REMOTE-1", type="Central")
EVSE = G.Evse(id=1, connector_id=1)

Call = Callable[[Any], Any]


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def sample(value: float, context: str, measurand: str = G.ENERGY_REGISTER) -> G.SampledValue:
    return G.SampledValue(value=value, context=context, measurand=measurand, unit="Wh")


def tx_event(
    event_type: str, transaction_id: str, seq_no: int, minute: int, trigger: str, **fields: Any
) -> G.TransactionEventRequest:
    return G.TransactionEventRequest(
        event_type=event_type,
        transaction_id=transaction_id,
        timestamp=at(minute),
        trigger_reason=trigger,
        seq_no=seq_no,
        **fields,
    )


class Csms:
    """A CSMS in generic handlers only: accepts two tokens, records what it is told."""

    def __init__(self) -> None:
        self.booted: list[tuple[str, str]] = []  # (vendor, version of the connection)
        self.heartbeats = 0
        self.statuses: list[tuple[int, str]] = []
        self.events: list[G.TransactionEventRequest] = []

    def install(self, router: Any) -> Any:
        router.add(G.BootNotificationRequest, self.boot)
        router.add(G.HeartbeatRequest, self.heartbeat)
        router.add(G.StatusNotificationRequest, self.status)
        router.add(G.AuthorizeRequest, self.authorize)
        router.add(G.TransactionEventRequest, self.transaction_event)
        return router

    def boot(self, conn: Any, request: G.BootNotificationRequest) -> G.BootNotificationResponse:
        self.booted.append((request.charging_station.vendor_name, conn.version))
        return G.BootNotificationResponse(status="Accepted", current_time=T0, interval=300)

    def heartbeat(self, conn: Any, request: G.HeartbeatRequest) -> G.HeartbeatResponse:
        self.heartbeats += 1
        return G.HeartbeatResponse(current_time=T0)

    def status(self, conn: Any, request: G.StatusNotificationRequest) -> Any:
        self.statuses.append((request.evse_id, request.connector_status))
        return G.StatusNotificationResponse()

    def authorize(self, conn: Any, request: G.AuthorizeRequest) -> G.AuthorizeResponse:
        return G.AuthorizeResponse(id_token_info=self.info(request.id_token))

    def transaction_event(self, conn: Any, request: G.TransactionEventRequest) -> Any:
        self.events.append(request)
        if request.event_type == "Updated" or request.id_token is None:
            return G.TransactionEventResponse()
        return G.TransactionEventResponse(id_token_info=self.info(request.id_token))

    @staticmethod
    def info(token: G.IdToken) -> G.IdTokenInfo:
        ok = token.id_token in (TOKEN.id_token, REMOTE_TOKEN.id_token)
        return G.IdTokenInfo(status="Accepted" if ok else "Invalid")


class StationController:
    """The station's answers to the CSMS, in generic handlers only."""

    def __init__(self, transaction_id: str = "st-remote-7") -> None:
        self.transaction_id = transaction_id  # the station's name of its transaction
        self.asked: list[Any] = []

    def install(self, router: Any) -> Any:
        router.add(G.RequestStartTransactionRequest, self.remote_start)
        router.add(G.RequestStopTransactionRequest, self.remote_stop)
        return router

    def remote_start(self, conn: Any, request: G.RequestStartTransactionRequest) -> Any:
        self.asked.append(request)
        return G.RequestStartTransactionResponse(status="Accepted")

    def remote_stop(self, conn: Any, request: G.RequestStopTransactionRequest) -> Any:
        self.asked.append(request)
        ok = request.transaction_id == self.transaction_id
        return G.RequestStopTransactionResponse(status="Accepted" if ok else "Rejected")


def charging_session(version: str, station_call: Call, csms: Csms, tx: str = "st-tx-1") -> None:
    """Boot, heartbeat, status, authorize, a transaction started / updated / ended with
    meter values: the same calls for every version; what the CSMS saw is checked."""
    station = G.ChargingStation(vendor_name="Acme", model="Wallbox 7")
    boot = station_call(G.BootNotificationRequest(charging_station=station, reason="PowerUp"))
    assert isinstance(boot, G.BootNotificationResponse)
    assert (boot.status, boot.interval, boot.current_time) == ("Accepted", 300, T0)
    assert type(boot.native).__module__ == "ocpp_core.v" + version.replace(".", "") + ".messages"
    assert station_call(G.HeartbeatRequest()).current_time == T0

    def status(value: str, minute: int, detail: "str | None" = None) -> None:
        request = G.StatusNotificationRequest(
            evse_id=1,
            connector_id=1,
            connector_status=value,
            timestamp=at(minute),
            v16_status=detail,
        )
        assert isinstance(station_call(request), G.StatusNotificationResponse)

    status("Available", 0)
    authorized = station_call(G.AuthorizeRequest(id_token=TOKEN))
    assert authorized.id_token_info.status == "Accepted"
    status("Occupied", 1, "Charging")
    begin = G.MeterValue(timestamp=at(1), sampled_value=[sample(1000, "Transaction.Begin")])
    started = station_call(
        tx_event("Started", tx, 0, 1, "Authorized", evse=EVSE, id_token=TOKEN, meter_value=[begin])
    )
    assert started.id_token_info is not None and started.id_token_info.status == "Accepted"
    periodic = G.MeterValue(
        timestamp=at(16),
        sampled_value=[
            sample(1500, "Sample.Periodic"),
            sample(7000, "Sample.Periodic", "Power.Active.Import"),
        ],
    )
    updated = station_call(
        tx_event("Updated", tx, 1, 16, "MeterValuePeriodic", evse=EVSE, meter_value=[periodic])
    )
    assert isinstance(updated, G.TransactionEventResponse)
    end = G.MeterValue(timestamp=at(31), sampled_value=[sample(2500, "Transaction.End")])
    station_call(
        tx_event(
            "Ended",
            tx,
            2,
            31,
            "StopAuthorized",
            id_token=TOKEN,
            meter_value=[end],
            stopped_reason="Local",
        )
    )
    status("Available", 32)

    # What the CSMS saw is the same story in every version.
    assert csms.booted == [("Acme", version)] and csms.heartbeats == 1
    assert csms.statuses == [(1, "Available"), (1, "Occupied"), (1, "Available")]
    assert [event.event_type for event in csms.events] == ["Started", "Updated", "Ended"]
    assert len({event.transaction_id for event in csms.events}) == 1
    first, middle, last = csms.events
    assert first.evse == EVSE and first.id_token is not None
    assert first.id_token.id_token == "TAG-1"
    assert (first.meter_start_wh(), last.meter_stop_wh()) == (1000, 2500)
    assert middle.meter_value is not None
    assert [s.value for s in middle.meter_value[0].sampled_value] == [1500.0, 7000.0]
    assert last.stopped_reason == "Local"
    assert all(event.native is not None for event in csms.events)
    if version == V16:  # the CSMS's name for it is the 1.6 integer it handed out
        assert first.transaction_id.isdigit()
    else:
        assert first.transaction_id == tx


def remote_start(
    version: str, station_call: Call, csms_call: Call, csms: Csms, station: StationController
) -> None:
    """The CSMS starts a transaction remotely, then stops it by its own name for it."""
    answer = csms_call(
        G.RequestStartTransactionRequest(id_token=REMOTE_TOKEN, evse_id=1, remote_start_id=42)
    )
    assert isinstance(answer, G.RequestStartTransactionResponse) and answer.status == "Accepted"
    asked = station.asked[0]
    assert asked.id_token.id_token == "REMOTE-1" and asked.evse_id == 1
    assert asked.remote_start_id == (None if version == V16 else 42)  # 1.6 has no such id
    tx = station.transaction_id
    started = station_call(
        tx_event(
            "Started",
            tx,
            0,
            0,
            "RemoteStart",
            evse=EVSE,
            id_token=asked.id_token,
            remote_start_id=asked.remote_start_id,
            meter_start=0,
        )
    )
    assert started.id_token_info.status == "Accepted"
    csms_tx = csms.events[-1].transaction_id  # the CSMS's name for it (1.6: its integer)
    stopped = csms_call(G.RequestStopTransactionRequest(transaction_id=csms_tx))
    assert stopped.status == "Accepted"  # the station recognised its own transaction
    assert station.asked[1].transaction_id == tx
    station_call(tx_event("Ended", tx, 1, 5, "RemoteStop", meter_stop=420, stopped_reason="Remote"))
    assert [e.transaction_id for e in csms.events[-2:]] == [csms_tx, csms_tx]
    assert csms.events[-1].meter_stop_wh() == 420
    assert csms.events[-1].stopped_reason == "Remote"
