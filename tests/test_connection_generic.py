"""Generic calls and generic handlers on the sans-IO connection objects, through the
in-memory ConnectionPair (no sockets): the scenarios of
tests/bindings/generic_scenarios.py over 1.6, 2.0.1 and 2.1, the errors raised
before anything is sent, the typed handler winning, and 1.6 transaction ids kept
across a reconnect by an injected TransactionIds."""

import subprocess
import sys
from typing import Any

import pytest

import ocpp_core.generic as G
from ocpp_core import events as ev
from ocpp_core.config import RpcConfig
from ocpp_core.errors import LocalProtocolError
from ocpp_core.events import GenericCallResultReceived
from ocpp_core.generic_session import GenericConfig
from ocpp_core.handlers import (
    Accept,
    CallError,
    InvalidResponse,
    Router,
    call_outcome,
    settle_request,
)
from ocpp_core.testing import ConnectionPair, answer_calls
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
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
    sample,
    tx_event,
)

VERSIONS = [V16, V201, V21]


class Link:
    """A ConnectionPair whose two sides answer CALLs with generic routers; `station_call`
    / `csms_call` send one generic request and return its outcome (call_outcome)."""

    def __init__(
        self,
        version: str,
        station_router: "Router | None" = None,
        csms_router: "Router | None" = None,
        station_generic: "GenericConfig | None" = None,
        csms_generic: "GenericConfig | None" = None,
        rpc_config: "RpcConfig | None" = None,
    ) -> None:
        station_config = StationConfig(
            url="ws://csms/ocpp", identity="CP1", versions=(version,), rpc_config=rpc_config
        )
        self.pair = ConnectionPair(
            station_config,
            CsmsConfig(path_prefix="/ocpp/", versions=(version,)),
            station_generic=station_generic,
            csms_generic=csms_generic,
        )
        assert self.pair.connect() == version
        self.frames: list[str] = []  # what the CSMS read (the station's frames are masked)
        self.pair.csms.on_frame = lambda direction, text: self.frames.append(text)
        self.routers = {"station": station_router or Router(), "csms": csms_router or Router()}
        self.others: list[Any] = []

    def settle(self) -> list[Any]:
        """Pump and answer until quiet; the events that are not CALLs, per side."""
        ended = []
        while True:
            self.pair.pump()
            station = answer_calls(self.pair.station, self.routers["station"])
            csms = answer_calls(self.pair.csms, self.routers["csms"])
            if not station and not csms and not self.pair.pump():
                return ended
            ended += station + csms

    def _call(self, conn: Any, request: Any) -> Any:
        message_id = conn.call(request, self.pair.now)
        outcome = [e for e in self.settle() if getattr(e, "message_id", None) == message_id]
        assert len(outcome) == 1, outcome
        return call_outcome(outcome[0])

    def station_call(self, request: Any) -> Any:
        return self._call(self.pair.station, request)

    def csms_call(self, request: Any) -> Any:
        return self._call(self.pair.csms, request)


@pytest.mark.parametrize("version", VERSIONS)
def test_charging_session_over_the_connection_pair(version: str) -> None:
    csms = Csms()
    link = Link(version, csms_router=csms.install(Router()))
    charging_session(version, link.station_call, csms)
    station_mapper = link.pair.station.generic.mapper
    if version == V16:  # every transaction ended: no 1.6 id state left
        assert station_mapper.transaction_ids.sizes() == (0, 0)  # type: ignore[attr-defined]
        actions = [text.split(",")[2] for text in link.frames if text.startswith("[2,")]
        assert actions[5:8] == ['"StartTransaction"', '"MeterValues"', '"StopTransaction"']


@pytest.mark.parametrize("version", VERSIONS)
def test_remote_start_over_the_connection_pair(version: str) -> None:
    csms, station = Csms(), StationController()
    link = Link(version, station.install(Router()), csms.install(Router()))
    remote_start(version, link.station_call, link.csms_call, csms, station)


def test_the_answer_event_carries_the_generic_and_the_typed_response() -> None:
    link = Link(V201, csms_router=Csms().install(Router()))
    station = link.pair.station
    message_id = station.call(G.HeartbeatRequest(), link.pair.now)
    (event,) = link.settle()
    assert isinstance(event, GenericCallResultReceived)
    assert isinstance(event, ev.CallResultReceived)  # code written for those takes it
    assert (event.message_id, event.action) == (message_id, "Heartbeat")
    assert isinstance(event.message, m201.HeartbeatResponse)
    assert event.generic == G.HeartbeatResponse(
        current_time=event.message.current_time, native=event.message
    )
    # A typed CALL on the same connection still ends with the plain typed event.
    typed = station.call(m201.HeartbeatRequest(), link.pair.now)
    (event,) = link.settle()
    assert type(event) is ev.CallResultReceived and event.message_id == typed


def _nothing_sent(link: Link, conn: Any, before: "tuple[int, int]") -> None:
    assert conn.data_to_send() == b""
    wire = (len(link.pair.wire_station_to_csms), len(link.pair.wire_csms_to_station))
    assert wire == before
    assert conn.rpc.call_in_flight is None and conn.rpc.queued_calls == []


def _wire(link: Link) -> "tuple[int, int]":
    return len(link.pair.wire_station_to_csms), len(link.pair.wire_csms_to_station)


def test_operation_not_available_is_raised_and_nothing_is_sent() -> None:
    link = Link(V16)
    before = _wire(link)
    with pytest.raises(G.OperationNotAvailable) as raised:
        link.pair.csms.call(G.GetTransactionStatusRequest(), link.pair.now)
    assert isinstance(raised.value, LocalProtocolError)
    assert (raised.value.operation, raised.value.version) == ("GetTransactionStatus", V16)
    _nothing_sent(link, link.pair.csms, before)
    # The same request goes out on 2.0.1.
    link201 = Link(V201)
    link201.pair.csms.call(G.GetTransactionStatusRequest(), link201.pair.now)
    assert b"GetTransactionStatus" in link201.pair.csms.data_to_send()


def test_not_representable_is_raised_and_nothing_is_sent() -> None:
    # 2.x requires a boot reason; the generic message leaves it None.
    link = Link(V201)
    before = _wire(link)
    station = G.ChargingStation(vendor_name="Acme", model="M")
    with pytest.raises(G.NotRepresentable) as raised:
        link.pair.station.call(G.BootNotificationRequest(charging_station=station), 0.0)
    assert (raised.value.field, raised.value.version) == ("reason", V201)
    _nothing_sent(link, link.pair.station, before)
    # 1.6: an Updated event before the StartTransaction is answered has no 1.6 id.
    link16 = Link(V16)
    before = _wire(link16)
    started = tx_event(
        "Started", "tx-9", 0, 0, "Authorized", evse=EVSE, id_token=TOKEN, meter_start=0
    )
    link16.pair.station.call(started, 0.0)  # sent, not answered yet (nobody pumps)
    updated = tx_event(
        "Updated",
        "tx-9",
        1,
        1,
        "MeterValuePeriodic",
        evse=EVSE,
        meter_value=[G.MeterValue(timestamp=at(1), sampled_value=[sample(5, "Sample.Periodic")])],
    )
    with pytest.raises(G.NotRepresentable, match="StartTransaction not answered"):
        link16.pair.station.call(updated, 0.0)
    assert link16.pair.station.rpc.queued_calls == []  # only the Started is on its way


def test_a_refused_call_leaves_the_1_6_id_map_as_it_was() -> None:
    # The mapping succeeds but the RPC session refuses the CALL (its queue is full):
    # the transaction the Started event opened in the id map is closed again.
    ids = G.TransactionIds()
    link = Link(
        V16,
        station_generic=GenericConfig(transaction_ids=ids),
        rpc_config=RpcConfig(max_queued_calls=0),
    )
    link.pair.station.call(G.HeartbeatRequest(), 0.0)  # in flight
    started = tx_event(
        "Started", "tx-1", 0, 0, "Authorized", evse=EVSE, id_token=TOKEN, meter_start=0
    )
    with pytest.raises(LocalProtocolError, match="max_queued_calls"):
        link.pair.station.call(started, 0.0)
    assert len(ids) == 0


def test_typed_handler_wins_over_the_generic_one() -> None:
    calls: list[str] = []
    router = Router()

    @router.on(G.HeartbeatRequest)
    def generic(conn: Any, request: G.HeartbeatRequest) -> G.HeartbeatResponse:
        calls.append("generic " + conn.version)
        return G.HeartbeatResponse(current_time=at(0))

    @router.on(m201.HeartbeatRequest)
    def typed(conn: Any, request: m201.HeartbeatRequest) -> m201.HeartbeatResponse:
        calls.append("typed " + conn.version)
        return m201.HeartbeatResponse(current_time=at(1))

    answers = {}
    for version in VERSIONS:
        link = Link(version, csms_router=router)
        answers[version] = link.station_call(G.HeartbeatRequest()).current_time
    assert calls == ["generic 1.6", "typed 2.0.1", "generic 2.1"]
    assert answers == {V16: at(0), V201: at(1), V21: at(0)}


def test_router_takes_generic_request_types_only() -> None:
    router = Router()
    with pytest.raises(ValueError, match="response"):
        router.add(G.HeartbeatResponse, print)
    with pytest.raises(ValueError, match="not a generic request"):
        router.add(G.IdToken, print)
    router.add(G.HeartbeatRequest, print)
    assert router.lookup_generic("Heartbeat") is print and router.lookup(V16, "Heartbeat") is None
    assert router.copy().lookup_generic("Heartbeat") is print


def test_accept_gives_one_station_its_own_generic_options() -> None:
    pair = ConnectionPair(
        StationConfig(url="ws://csms/ocpp", identity="CP1", versions=(V16,)),
        CsmsConfig(path_prefix="/ocpp/"),
    )
    pair.pump()
    assert isinstance(pair.csms.next_event(), ev.ConnectionRequested)
    options = GenericConfig(transaction_id_factory=lambda: 4242)
    assert settle_request(pair.csms, Accept(generic=options)) == (None, None)
    pair.pump()
    assert isinstance(pair.station.next_event(), ev.Connected)
    csms = Csms()
    router = csms.install(Router())
    pair.station.call(
        tx_event("Started", "t", 0, 0, "Authorized", evse=EVSE, id_token=TOKEN, meter_start=0), 0.0
    )
    pair.pump()
    assert answer_calls(pair.csms, router) == []
    pair.pump()
    (answer,) = list(pair.station.events())
    assert answer.message.transaction_id == 4242 and csms.events[0].transaction_id == "4242"


def test_handler_mistakes_become_internal_error_and_unmapped_actions_not_supported() -> None:
    router = Router()
    router.add(
        G.HeartbeatRequest,
        lambda conn, request: G.AuthorizeResponse(id_token_info=G.IdTokenInfo(status="Accepted")),
    )
    router.add(
        G.BootNotificationRequest,
        lambda conn, request: G.BootNotificationResponse(
            status="NoSuchStatus", current_time=at(0), interval=1
        ),
    )

    def fails(conn: Any, request: Any) -> Any:
        raise RuntimeError("bug")

    router.add(G.StatusNotificationRequest, fails)
    link = Link(V21, csms_router=router)
    station = G.ChargingStation(vendor_name="Acme", model="M")
    requests = [
        G.HeartbeatRequest(),  # answered with another operation's response
        G.BootNotificationRequest(charging_station=station, reason="PowerUp"),  # bad enum
        G.StatusNotificationRequest(
            evse_id=1, connector_id=1, connector_status="Available", timestamp=at(0)
        ),
    ]
    for request in requests:
        with pytest.raises(CallError) as raised:
            link.station_call(request)
        assert raised.value.code == "InternalError"
    # An action outside the generic model (2.1 NotifyEvent): nobody takes it.
    notify = m21.NotifyEventRequest(
        generated_at=at(0),
        seq_no=0,
        event_data=[
            m21.EventData(
                event_id=1,
                timestamp=at(0),
                trigger="Alerting",
                actual_value="1",
                event_notification_type="HardWiredNotification",
                component=m21.Component(name="X"),
                variable=m21.Variable(name="Y"),
            )
        ],
    )
    with pytest.raises(CallError) as raised:
        link.station_call(notify)
    assert raised.value.code == "NotSupported"
    assert link.pair.csms.generic._received == {}  # every mapped CALL was answered


def test_a_generic_call_that_ends_without_an_answer_leaves_nothing_behind() -> None:
    link = Link(V201)  # nobody answers: the CSMS router is never run here
    session = link.pair.station.generic
    link.pair.station.call(G.HeartbeatRequest(), link.pair.now, timeout=5)
    link.pair.station.call(G.HeartbeatRequest(), link.pair.now)  # queued behind it
    assert session.calls_open == 2
    link.pair.advance(6)
    assert [type(e).__name__ for e in link.pair.station.events()] == ["CallTimedOut"]
    link.pair.close()
    ended = [type(e).__name__ for e in link.pair.station.events()]
    assert ended[0] == "CallCancelled" and ended[-1] == "ConnectionClosed"
    assert session.calls_open == 0


class BrokenAnswers(GenericConfig):
    """Options whose mapper cannot take any answer (a gap in a mapper, simulated)."""

    def mapper_for(self, version: str) -> G.Mapper:
        mapper = GenericConfig.mapper_for(self, version)

        def refuse(request: Any, native: Any) -> Any:
            raise G.NotRepresentable("Heartbeat", version, "$", "simulated gap")

        mapper.response_from_native = refuse  # type: ignore[method-assign]
        return mapper


def test_an_answer_the_generic_model_cannot_take_is_an_invalid_response() -> None:
    link = Link(V21, csms_router=Csms().install(Router()), station_generic=BrokenAnswers())
    with pytest.raises(InvalidResponse, match="simulated gap"):
        link.station_call(G.HeartbeatRequest())
    assert link.station_call(m21.HeartbeatRequest()).current_time is not None  # still open


def test_reply_with_a_generic_response_needs_the_mapped_request() -> None:
    link = Link(V201)
    link.pair.station.call(G.HeartbeatRequest(), 0.0)
    link.pair.pump()
    (event,) = list(link.pair.csms.events())
    with pytest.raises(LocalProtocolError, match="generic_request"):
        link.pair.csms.reply(event.message_id, G.HeartbeatResponse(current_time=at(0)))
    request = link.pair.csms.generic_request(event)
    assert request == G.HeartbeatRequest(native=event.message)
    link.pair.csms.reply(event.message_id, G.HeartbeatResponse(current_time=at(0)))
    link.pair.pump()
    (answer,) = list(link.pair.station.events())
    assert answer.generic.current_time == at(0)


def test_a_mapped_call_answered_typed_is_forgotten_and_cannot_be_mapped_again() -> None:
    link = Link(V16)
    csms = link.pair.csms
    link.pair.station.call(m16.HeartbeatRequest(), 0.0)
    link.pair.pump()
    (event,) = list(csms.events())
    assert csms.generic_request(event) == G.HeartbeatRequest(native=event.message)
    csms.reply(event.message_id, m16.HeartbeatResponse(current_time=at(0)))
    assert csms.generic._received == {}  # bounded: nothing kept once answered
    with pytest.raises(LocalProtocolError, match="not waiting for an answer"):
        csms.generic_request(event)  # a later CALL reusing the id must not get it back
    assert csms.generic._received == {}


def test_an_abandoned_1_6_start_frees_its_id_map_entry() -> None:
    ids = G.TransactionIds(limit=1)
    link = Link(V16, station_generic=GenericConfig(transaction_ids=ids))

    def started(transaction_id: str) -> G.TransactionEventRequest:
        return tx_event(
            "Started", transaction_id, 0, 0, "Authorized",
            evse=G.Evse(id=1, connector_id=1), id_token=TOKEN, meter_start=1000,
        )  # fmt: skip

    link.pair.station.call(started("tx-1"), 0.0)
    link.pair.pump()
    (event,) = list(link.pair.csms.events())
    link.pair.csms.reply_error(event.message_id, "InternalError", "database down")
    link.pair.pump()
    assert isinstance(next(iter(link.pair.station.events())), ev.CallErrorReceived)
    # Kept for a retry of that Started; a new transaction meets the limit.
    assert ids.get("tx-1") is not None
    with pytest.raises(G.TooManyTransactions, match="abandon_transaction"):
        link.pair.station.call(started("tx-2"), 0.0)
    link.pair.station.generic.abandon_transaction("tx-1")
    assert ids.sizes() == (0, 0)
    link.pair.station.call(started("tx-2"), 0.0)
    assert ids.get("tx-2") is not None


def test_generic_calls_need_an_open_connection() -> None:
    pair = ConnectionPair(StationConfig(url="ws://csms/ocpp", identity="CP1"), CsmsConfig())
    with pytest.raises(LocalProtocolError):
        pair.station.call(G.HeartbeatRequest(), 0.0)
    with pytest.raises(LocalProtocolError):
        pair.station.generic  # noqa: B018 - no version yet


def test_1_6_transaction_ids_survive_a_reconnect_with_an_injected_map() -> None:
    ids = G.TransactionIds()  # the station's, across its connections
    factory = iter(range(501, 600)).__next__  # the CSMS's 1.6 ids, CSMS-wide
    csms = Csms()

    def connect() -> Link:
        return Link(
            V16,
            csms_router=csms.install(Router()),
            station_generic=GenericConfig(transaction_ids=ids),
            csms_generic=GenericConfig(transaction_id_factory=factory),
        )

    first = connect()
    first.station_call(
        tx_event("Started", "tx-a", 0, 0, "Authorized", evse=EVSE, id_token=TOKEN, meter_start=100)
    )
    first.pair.close()
    assert ids.sizes() == (1, 1) and ids.generic_of(501) == "tx-a"

    second = connect()
    periodic = G.MeterValue(timestamp=at(5), sampled_value=[sample(150, "Sample.Periodic")])
    second.station_call(
        tx_event("Updated", "tx-a", 1, 5, "MeterValuePeriodic", evse=EVSE, meter_value=[periodic])
    )
    second.station_call(tx_event("Ended", "tx-a", 2, 9, "StopAuthorized", meter_stop=180))
    assert [e.transaction_id for e in csms.events] == ["501", "501", "501"]
    assert ids.sizes() == (0, 0)  # released by the StopTransaction answer
    assert '"transactionId":501' in second.frames[0] and second.frames[0].startswith("[2,")

    # Without the shared map, the new connection cannot name the open transaction.
    ids.open("tx-b", 1)
    ids.bind("tx-b", 777)
    fresh = Link(V16)
    with pytest.raises(G.NotRepresentable, match="not an open transaction"):
        fresh.pair.station.call(
            tx_event("Ended", "tx-b", 1, 1, "StopAuthorized", meter_stop=1), 0.0
        )


def test_typed_only_code_never_imports_the_generic_model() -> None:
    code = """
import datetime, sys
from ocpp_core.handlers import Router
from ocpp_core.testing import ConnectionPair, answer_calls
from ocpp_core.v201 import messages as m
from ocpp_core.ws import CsmsConfig, StationConfig
pair = ConnectionPair(StationConfig(url="ws://c/ocpp", identity="CP1"),
                      CsmsConfig(path_prefix="/ocpp/"))
pair.connect()
router = Router()
now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
router.add(m.HeartbeatRequest, lambda conn, request: m.HeartbeatResponse(current_time=now))
pair.station.call(m.HeartbeatRequest(), 0.0)
pair.pump(); answer_calls(pair.csms, router); pair.pump()
assert type(pair.station.next_event()).__name__ == "CallResultReceived"
assert not [name for name in sys.modules if name.startswith("ocpp_core.generic")]
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
