"""Scenarios written once against the generic API, run over OCPP 1.6, 2.0.1 and 2.1.

`Link` pairs a station-side and a CSMS-side mapper through the real Codec: every call
is mapped to the version's typed message, encoded (validated), decoded, mapped back,
handled by a generic handler on the other side, and the answer travels back the same
way. (The session and connection objects will replace Link later.)
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest

import ocpp_core.generic as G
from ocpp_core.codec import Codec
from ocpp_core.versions import V16, V21, V201

VERSIONS = [V16, V201, V21]
T0 = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.timezone.utc)

Handler = Callable[[Any], Any]


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


class Link:
    """A station and a CSMS mapper joined by the Codec of one version."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.codec = Codec(version)
        # Default mappers: the 1.6 ones name the standard key HeartbeatInterval
        # OCPPCommCtrlr.HeartbeatInterval, as 2.x does (ConfigurationKeys.oca()).
        self.station = G.mapper_for(version)
        self.csms = G.mapper_for(version)
        self.wire: list[str] = []
        self._ids = 0

    def _carry(self, sender: G.Mapper, receiver: G.Mapper, request: Any, handle: Handler) -> Any:
        self._ids += 1
        message_id = str(self._ids)
        native = sender.request_to_native(request)
        text = self.codec.encode_call(message_id, native)
        self.wire.append(text)
        frame = self.codec.decode_frame(text)
        received = receiver.request_from_native(
            self.codec.decode_request(frame.action, frame.payload).message
        )
        answer = receiver.response_to_native(received, handle(received))
        text = self.codec.encode_result(message_id, answer)
        self.wire.append(text)
        frame = self.codec.decode_frame(text)
        decoded = self.codec.decode_response(self.codec.action_of(native), frame.payload)
        return sender.response_from_native(request, decoded.message)

    def station_calls(self, request: Any, csms_handler: Handler) -> Any:
        return self._carry(self.station, self.csms, request, csms_handler)

    def csms_calls(self, request: Any, station_handler: Handler) -> Any:
        return self._carry(self.csms, self.station, request, station_handler)


class Csms:
    """A tiny generic CSMS: accepts one token, records what it is told."""

    def __init__(self) -> None:
        self.booted: list[str] = []
        self.statuses: list[tuple[int, str]] = []
        self.events: list[G.TransactionEventRequest] = []

    def handle(self, request: Any) -> Any:
        if isinstance(request, G.BootNotificationRequest):
            self.booted.append(request.charging_station.vendor_name)
            return G.BootNotificationResponse(status="Accepted", current_time=T0, interval=300)
        if isinstance(request, G.HeartbeatRequest):
            return G.HeartbeatResponse(current_time=T0)
        if isinstance(request, G.StatusNotificationRequest):
            self.statuses.append((request.evse_id, request.connector_status))
            return G.StatusNotificationResponse()
        if isinstance(request, G.AuthorizeRequest):
            return G.AuthorizeResponse(id_token_info=self._info(request.id_token))
        if isinstance(request, G.TransactionEventRequest):
            self.events.append(request)
            if request.event_type == "Updated":
                return G.TransactionEventResponse()
            token = request.id_token
            return G.TransactionEventResponse(
                id_token_info=None if token is None else self._info(token)
            )
        raise AssertionError(request)

    @staticmethod
    def _info(token: G.IdToken) -> G.IdTokenInfo:
        ok = token.id_token in ("TAG-1", "REMOTE-1")
        return G.IdTokenInfo(status="Accepted" if ok else "Invalid")


def sample(value: float, context: "str | None" = None, measurand: "str | None" = None) -> Any:
    return G.SampledValue(
        value=value, context=context, measurand=measurand or G.ENERGY_REGISTER, unit="Wh"
    )


def tx_event(event_type: str, seq_no: int, minute: int, trigger: str, **fields: Any) -> Any:
    return G.TransactionEventRequest(
        event_type=event_type,
        transaction_id="st-tx-1",
        timestamp=at(minute),
        trigger_reason=trigger,
        seq_no=seq_no,
        **fields,
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_charging_session_written_once(version: str) -> None:
    link, csms = Link(version), Csms()
    token = G.IdToken(id_token="TAG-1", type="ISO14443")
    evse = G.Evse(id=1, connector_id=1)
    station = G.ChargingStation(vendor_name="Acme", model="Wallbox 7")

    boot = link.station_calls(
        G.BootNotificationRequest(charging_station=station, reason="PowerUp"), csms.handle
    )
    assert (boot.status, boot.interval) == ("Accepted", 300)
    assert link.station_calls(G.HeartbeatRequest(), csms.handle).current_time == T0

    def status(value: str, minute: int, detail: "str | None" = None) -> None:
        request = G.StatusNotificationRequest(
            evse_id=1,
            connector_id=1,
            connector_status=value,
            timestamp=at(minute),
            v16_status=detail,
        )
        link.station_calls(request, csms.handle)

    status("Available", 0)
    authorized = link.station_calls(G.AuthorizeRequest(id_token=token), csms.handle)
    assert authorized.id_token_info.status == "Accepted"
    status("Occupied", 1, "Charging")

    begin = G.MeterValue(timestamp=at(1), sampled_value=[sample(1000, "Transaction.Begin")])
    started = link.station_calls(
        tx_event("Started", 0, 1, "Authorized", evse=evse, id_token=token, meter_value=[begin]),
        csms.handle,
    )
    assert started.id_token_info is not None and started.id_token_info.status == "Accepted"

    periodic = G.MeterValue(
        timestamp=at(16),
        sampled_value=[
            sample(1500, "Sample.Periodic"),
            sample(7000, "Sample.Periodic", "Power.Active.Import"),
        ],
    )
    link.station_calls(
        tx_event("Updated", 1, 16, "MeterValuePeriodic", evse=evse, meter_value=[periodic]),
        csms.handle,
    )
    end = G.MeterValue(timestamp=at(31), sampled_value=[sample(2500, "Transaction.End")])
    link.station_calls(
        tx_event(
            "Ended",
            2,
            31,
            "StopAuthorized",
            id_token=token,
            meter_value=[end],
            stopped_reason="Local",
        ),
        csms.handle,
    )
    status("Available", 32)

    # What the CSMS saw is the same story in every version.
    assert csms.booted == ["Acme"]
    assert csms.statuses == [(1, "Available"), (1, "Occupied"), (1, "Available")]
    kinds = [event.event_type for event in csms.events]
    assert kinds == ["Started", "Updated", "Ended"]
    assert len({event.transaction_id for event in csms.events}) == 1
    first, middle, last = csms.events
    assert first.evse == evse and first.id_token is not None
    assert first.id_token.id_token == "TAG-1"
    assert first.meter_start_wh() == 1000 and last.meter_stop_wh() == 2500
    assert last.meter_stop_wh() - first.meter_start_wh() == 1500  # type: ignore[operator]
    assert middle.meter_value is not None
    assert [s.value for s in middle.meter_value[0].sampled_value] == [1500.0, 7000.0]
    assert last.stopped_reason == "Local"
    # Every generic message keeps the native message it came from.
    assert all(event.native is not None for event in csms.events)
    if version == V16:
        assert link.station.transaction_ids.sizes() == (0, 0)  # type: ignore[attr-defined]
        assert [t.split(",")[2] for t in link.wire[10:15:2]] == [
            '"StartTransaction"',
            '"MeterValues"',
            '"StopTransaction"',
        ]


@pytest.mark.parametrize("version", VERSIONS)
def test_remote_start_and_stop_written_once(version: str) -> None:
    link, csms = Link(version), Csms()
    seen: list[Any] = []
    station_tx = "st-remote-7"

    def station_handler(request: Any) -> Any:
        seen.append(request)
        if isinstance(request, G.RequestStartTransactionRequest):
            return G.RequestStartTransactionResponse(status="Accepted")
        if isinstance(request, G.RequestStopTransactionRequest):
            ok = request.transaction_id == station_tx
            return G.RequestStopTransactionResponse(status="Accepted" if ok else "Rejected")
        raise AssertionError(request)

    token = G.IdToken(id_token="REMOTE-1", type="Central")
    answer = link.csms_calls(
        G.RequestStartTransactionRequest(id_token=token, evse_id=1, remote_start_id=42),
        station_handler,
    )
    assert answer.status == "Accepted"
    asked = seen[0]
    assert asked.id_token.id_token == "REMOTE-1" and asked.evse_id == 1

    evse = G.Evse(id=1, connector_id=1)
    link.station_calls(
        G.TransactionEventRequest(
            event_type="Started",
            transaction_id=station_tx,
            timestamp=at(0),
            trigger_reason="RemoteStart",
            seq_no=0,
            evse=evse,
            id_token=asked.id_token,
            remote_start_id=asked.remote_start_id,
            meter_start=0,
        ),
        csms.handle,
    )
    csms_tx = csms.events[0].transaction_id  # the CSMS's name for it (1.6: its integer)

    stopped = link.csms_calls(
        G.RequestStopTransactionRequest(transaction_id=csms_tx), station_handler
    )
    assert stopped.status == "Accepted"  # the station recognised its own transaction id
    assert seen[1].transaction_id == station_tx

    link.station_calls(
        G.TransactionEventRequest(
            event_type="Ended",
            transaction_id=station_tx,
            timestamp=at(5),
            trigger_reason="RemoteStop",
            seq_no=1,
            meter_stop=420,
            stopped_reason="Remote",
        ),
        csms.handle,
    )
    assert [e.transaction_id for e in csms.events] == [csms_tx, csms_tx]
    assert csms.events[1].meter_stop_wh() == 420
    assert csms.events[1].stopped_reason == "Remote"


@pytest.mark.parametrize("version", VERSIONS)
def test_configuration_written_once(version: str) -> None:
    link = Link(version)
    store = {("OCPPCommCtrlr", "HeartbeatInterval"): "300"}

    def station_handler(request: Any) -> Any:
        if isinstance(request, G.SetVariablesRequest):
            results = []
            for item in request.set_variable_data:
                store[(item.component.name, item.variable.name)] = item.attribute_value
                results.append(
                    G.SetVariableResult(
                        attribute_status="Accepted",
                        component=item.component,
                        variable=item.variable,
                    )
                )
            return G.SetVariablesResponse(set_variable_result=results)
        results = []
        for item in request.get_variable_data:
            value = store.get((item.component.name, item.variable.name))
            results.append(
                G.GetVariableResult(
                    attribute_status="UnknownVariable" if value is None else "Accepted",
                    component=item.component,
                    variable=item.variable,
                    attribute_value=value,
                    readonly=None if value is None else False,  # 1.6 wants it
                )
            )
        return G.GetVariablesResponse(get_variable_result=results)

    heartbeat = (G.Component(name="OCPPCommCtrlr"), G.Variable(name="HeartbeatInterval"))
    changed = link.csms_calls(
        G.SetVariablesRequest(
            set_variable_data=[
                G.SetVariableData(
                    component=heartbeat[0], variable=heartbeat[1], attribute_value="60"
                )
            ]
        ),
        station_handler,
    )
    assert [r.attribute_status for r in changed.set_variable_result] == ["Accepted"]
    read = link.csms_calls(
        G.GetVariablesRequest(
            get_variable_data=[G.GetVariableData(component=heartbeat[0], variable=heartbeat[1])]
        ),
        station_handler,
    )
    (result,) = read.get_variable_result
    assert (result.attribute_status, result.attribute_value) == ("Accepted", "60")
    assert (result.component, result.variable) == heartbeat
    if version == V16:
        assert '"ChangeConfiguration",{"key":"HeartbeatInterval","value":"60"}' in link.wire[0]


def test_one_csms_handler_serves_a_mixed_fleet() -> None:
    """The same generic CSMS code behind three stations of three versions at once."""
    csms = Csms()
    links = {version: Link(version) for version in VERSIONS}
    token = G.IdToken(id_token="TAG-1", type="ISO14443")
    for version, link in links.items():
        station = G.ChargingStation(vendor_name="Acme-" + version, model="M")
        link.station_calls(
            G.BootNotificationRequest(charging_station=station, reason="PowerUp"), csms.handle
        )
    # Interleaved transactions: each station starts, then each one ends.
    for n, link in enumerate(links.values()):
        link.station_calls(
            G.TransactionEventRequest(
                event_type="Started",
                transaction_id=f"fleet-{n}",
                timestamp=at(n),
                trigger_reason="Authorized",
                seq_no=0,
                evse=G.Evse(id=1, connector_id=1),
                id_token=token,
                meter_start=100 * n,
            ),
            csms.handle,
        )
    for n, link in enumerate(links.values()):
        link.station_calls(
            G.TransactionEventRequest(
                event_type="Ended",
                transaction_id=f"fleet-{n}",
                timestamp=at(10 + n),
                trigger_reason="StopAuthorized",
                seq_no=1,
                meter_stop=100 * n + 50,
            ),
            csms.handle,
        )
    assert csms.booted == ["Acme-1.6", "Acme-2.0.1", "Acme-2.1"]
    starts = [e for e in csms.events if e.event_type == "Started"]
    ends = [e for e in csms.events if e.event_type == "Ended"]
    assert [e.meter_start_wh() for e in starts] == [0, 100, 200]
    assert [e.meter_stop_wh() for e in ends] == [50, 150, 250]
    assert [type(e.native).__module__ for e in starts] == [
        "ocpp_core.v16.messages",
        "ocpp_core.v201.messages",
        "ocpp_core.v21.messages",
    ]
