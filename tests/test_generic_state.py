"""Per-connection mapping state: bounded, released when a transaction ends, refused
(not evicted) beyond its limit, unchanged by a refused message."""

import datetime
from typing import Any

import pytest

import ocpp_core.generic as G
from ocpp_core.errors import LocalProtocolError
from ocpp_core.generic.state import TransactionIds
from ocpp_core.versions import V16, V21, V201

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
TOKEN = G.IdToken(id_token="TAG", type="ISO14443")
ACCEPTED = G.TransactionEventResponse(id_token_info=G.IdTokenInfo(status="Accepted"))


def event(kind: str, tx: str, seq: int, connector: int = 1, **fields: Any) -> Any:
    return G.TransactionEventRequest(
        event_type=kind,
        transaction_id=tx,
        timestamp=T0,
        trigger_reason="Trigger",
        seq_no=seq,
        evse=G.Evse(id=connector, connector_id=1),
        id_token=TOKEN,
        **fields,
    )


def reading(wh: int) -> "list[G.MeterValue]":
    sample = G.SampledValue(value=float(wh), measurand=G.ENERGY_REGISTER, unit="Wh")
    return [G.MeterValue(timestamp=T0, sampled_value=[sample])]


def exchange(station: G.Mapper, csms: G.Mapper, request: Any) -> Any:
    """One call and its answer through both mappers (typed messages, no wire: the
    round-trip tests cover the wire; this one is about state)."""
    received = csms.request_from_native(station.request_to_native(request))
    response = ACCEPTED if received.event_type != "Updated" else G.TransactionEventResponse()
    native = csms.response_to_native(received, response)
    station.response_from_native(request, native)
    return received


def state_size(mapper: G.Mapper) -> int:
    ids = getattr(mapper, "transaction_ids", None)
    return 0 if ids is None else sum(ids.sizes())


@pytest.mark.parametrize("version", [V16, V201, V21])
def test_state_stays_bounded_over_10000_transactions(version: str) -> None:
    station, csms = G.mapper_for(version), G.mapper_for(version)
    peak = 0
    seen_ids = set()
    for n in range(10_000):
        connector = 1 + n % 2  # two connectors, transactions overlapping in pairs
        tx = f"tx-{n}"
        started = exchange(station, csms, event("Started", tx, 0, connector, meter_start=n))
        seen_ids.add(started.transaction_id)
        exchange(station, csms, event("Updated", tx, 1, connector, meter_value=reading(n + 5)))
        peak = max(peak, state_size(station), state_size(csms))
        if n % 2:
            # End the previous transaction too late on purpose: two are open at a time.
            exchange(station, csms, event("Ended", f"tx-{n - 1}", 2, connector, meter_stop=n))
            exchange(station, csms, event("Ended", tx, 2, connector, meter_stop=n + 9))
            assert state_size(station) == 0 and state_size(csms) == 0
    assert len(seen_ids) == 10_000  # every transaction got its own id on the CSMS side
    assert peak <= 4  # two open transactions, each in both directions of the 1.6 map


def test_1_6_ids_are_released_only_when_the_stop_is_answered() -> None:
    station, csms = G.mapper_for(V16), G.mapper_for(V16)
    exchange(station, csms, event("Started", "a", 0, meter_start=0))
    ids: TransactionIds = station.transaction_ids  # type: ignore[attr-defined]
    assert ids.sizes() == (1, 1)
    stop = event("Ended", "a", 1, meter_stop=10)
    native = station.request_to_native(stop)
    assert ids.sizes() == (1, 1)  # sent, not answered: a retry still finds the id
    assert station.request_to_native(stop) == native
    received = csms.request_from_native(native)
    station.response_from_native(stop, csms.response_to_native(received, ACCEPTED))
    assert ids.sizes() == (0, 0)


def test_too_many_open_transactions_is_refused_and_changes_nothing() -> None:
    station = G.mapper_for(V16, transaction_ids=TransactionIds(limit=3))
    for n in range(3):
        station.request_to_native(event("Started", f"t{n}", 0, meter_start=0))
    with pytest.raises(G.TooManyTransactions) as caught:
        station.request_to_native(event("Started", "t3", 0, meter_start=0))
    assert isinstance(caught.value, LocalProtocolError) and caught.value.limit == 3
    assert station.transaction_ids.sizes() == (3, 0)  # type: ignore[attr-defined]
    # Mapping the same Started again (a retry) is not a new transaction.
    station.request_to_native(event("Started", "t0", 0, meter_start=0))


def test_a_refused_started_event_leaves_no_state() -> None:
    station = G.mapper_for(V16)
    with pytest.raises(G.NotRepresentable):
        station.request_to_native(
            G.TransactionEventRequest(event_type="Started", transaction_id="x", timestamp=T0)
        )
    assert station.transaction_ids.sizes() == (0, 0)  # type: ignore[attr-defined]


def test_an_update_before_the_start_is_answered_is_refused() -> None:
    station = G.mapper_for(V16)
    station.request_to_native(event("Started", "early", 0, meter_start=0))
    with pytest.raises(G.NotRepresentable, match="StartTransaction not answered"):
        station.request_to_native(event("Updated", "early", 1, meter_value=reading(5)))


def test_station_side_ids_survive_a_reconnect_when_shared() -> None:
    """One TransactionIds object handed to the mapper of the next connection."""
    ids = TransactionIds()
    first, csms = G.mapper_for(V16, transaction_ids=ids), G.mapper_for(V16)
    exchange(first, csms, event("Started", "kept", 0, meter_start=0))
    second = G.mapper_for(V16, transaction_ids=ids)
    native = second.request_to_native(event("Ended", "kept", 1, meter_stop=3))
    assert native.transaction_id == 1


def test_csms_side_uses_the_injected_allocator() -> None:
    numbers = iter([7001, 7002])
    csms = G.mapper_for(V16, transaction_id_factory=lambda: next(numbers))
    station = G.mapper_for(V16)
    got = [
        exchange(station, csms, event("Started", name, 0, meter_start=0)).transaction_id
        for name in ("p", "q")
    ]
    assert got == ["7001", "7002"]
    stop = G.RequestStopTransactionRequest(transaction_id="7002")
    native = csms.request_to_native(stop)
    assert native.transaction_id == 7002
    assert station.request_from_native(native).transaction_id == "q"


def test_a_reused_1_6_id_keeps_pointing_at_the_newer_transaction() -> None:
    ids = TransactionIds()
    ids.open("old", 1)
    ids.bind("old", 42)
    ids.open("new", 2)
    ids.bind("new", 42)  # a CSMS handing out 42 twice
    assert ids.generic_of(42) == "new"
    ids.release("old")
    assert ids.generic_of(42) == "new" and ids.sizes() == (1, 1)
    ids.release("new")
    assert ids.sizes() == (0, 0)
