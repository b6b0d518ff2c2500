"""The offline queue's policy (`ocpp_core.offline`) over the in-memory store: order,
one in flight, the retry schedule (interval x transmissions), drop after the attempts,
a lost connection is no attempt, and the 1.6 transaction id kept across a restart."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ocpp_core.generic as G
import ocpp_core.v16.messages as M16
import ocpp_core.v21.messages as M21
import ocpp_core.v201.messages as M201
from ocpp_core.errors import LocalProtocolError
from ocpp_core.offline import (
    BINDING_PREFIX,
    Dropped,
    MemoryStore,
    OfflineQueue,
    RetryPolicy,
    decode_message,
    encode_message,
    is_transaction_action,
    is_transaction_related,
)

T0 = datetime.datetime(2026, 12, 6, 8, 0, tzinfo=datetime.timezone.utc)
TOKEN = G.IdToken(id_token="TAG-1", type="ISO14443")
EVSE = G.Evse(id=1, connector_id=1)


def meter(wh: float, context=None):
    sample = G.SampledValue(value=wh, context=context, measurand=G.ENERGY_REGISTER, unit="Wh")
    return [G.MeterValue(timestamp=T0, sampled_value=[sample])]


def event(event_type: str, seq_no: int, transaction_id: str = "tx-1", **fields):
    defaults = {
        "Started": {
            "evse": EVSE,
            "id_token": TOKEN,
            "meter_value": meter(1000, "Transaction.Begin"),
        },
        "Updated": {"evse": EVSE, "meter_value": meter(1000 + seq_no)},
        "Ended": {"meter_value": meter(9000, "Transaction.End"), "stopped_reason": "Local"},
    }[event_type]
    return G.TransactionEventRequest(
        event_type=event_type,
        transaction_id=transaction_id,
        timestamp=T0 + datetime.timedelta(seconds=seq_no),
        trigger_reason="MeterValuePeriodic",
        seq_no=seq_no,
        **{**defaults, **fields},
    )


OK_201 = M201.TransactionEventResponse()


def answer16(action: str, transaction_id: int = 42):
    if action == "StartTransaction":
        info = M16.IdTagInfo(status="Accepted")
        return M16.StartTransactionResponse(id_tag_info=info, transaction_id=transaction_id)
    if action == "MeterValues":
        return M16.MeterValuesResponse()
    return M16.StopTransactionResponse()


def test_what_is_transaction_related():
    assert is_transaction_related(event("Updated", 1))
    assert not is_transaction_related(G.HeartbeatRequest())
    assert not is_transaction_related(G.MeterValuesRequest(evse_id=1, meter_value=meter(1)))
    assert is_transaction_action("1.6", "StartTransaction", {})
    assert is_transaction_action("1.6", "StopTransaction", {"transactionId": 3})
    assert is_transaction_action("1.6", "MeterValues", {"connectorId": 1, "transactionId": 3})
    assert not is_transaction_action("1.6", "MeterValues", {"connectorId": 1})
    assert is_transaction_action("2.0.1", "TransactionEvent", {})
    assert not is_transaction_action("2.1", "MeterValues", {"evseId": 1})
    with pytest.raises(LocalProtocolError):
        OfflineQueue("2.0.1", MemoryStore()).enqueue(G.HeartbeatRequest())


def test_stored_form_round_trips_without_native():
    request = event("Started", 0, remote_start_id=7, offline=True)
    decoded = decode_message(encode_message(request))
    assert decoded == request
    received = G.mapper_for("2.0.1").request_from_native(
        G.mapper_for("2.0.1").request_to_native(request)
    )
    assert received.native is not None
    assert decode_message(encode_message(received)).native is None


def test_fifo_one_in_flight_nothing_while_offline():
    queue = OfflineQueue("2.0.1", MemoryStore(), RetryPolicy(attempts=3, interval=10))
    for n in range(3):
        queue.enqueue(event("Updated", n))
    assert queue.next_delivery(0.0) is None  # not connected yet
    queue.connected()
    sent = []
    for _ in range(3):
        delivery = queue.next_delivery(0.0)
        assert delivery is not None and delivery.action == "TransactionEvent"
        assert queue.next_delivery(0.0) is None  # one in flight
        assert delivery.native.seq_no == delivery.request.seq_no
        done = queue.answered(delivery.seq, OK_201, 0.0)
        assert done is not None and done.request == delivery.request
        sent.append(delivery.request.seq_no)
    assert sent == [0, 1, 2]
    assert len(queue) == 0 and queue.next_delivery(0.0) is None
    with pytest.raises(LocalProtocolError):
        queue.answered(1, OK_201, 0.0)  # nothing in flight


def test_retry_after_interval_times_transmissions_then_drop():
    # The 1.6 §3.7.1 example: 3 attempts, 60 s: retry after 60 s, then 120 s, then drop.
    queue = OfflineQueue("2.0.1", MemoryStore(), RetryPolicy(attempts=3, interval=60))
    queue.enqueue(event("Updated", 1))
    queue.enqueue(event("Updated", 2))
    queue.connected()
    first = queue.next_delivery(0.0)
    assert first.transmission == 1
    assert queue.failed(first.seq, 0.0, "CALLERROR InternalError") is None
    assert queue.next_deadline() == 60.0
    assert queue.next_delivery(59.9) is None
    second = queue.next_delivery(60.0)
    assert (second.seq, second.transmission) == (first.seq, 2)
    assert queue.failed(second.seq, 61.0, "CALLERROR InternalError") is None
    assert queue.next_deadline() == 61.0 + 120.0
    assert queue.next_delivery(180.9) is None
    third = queue.next_delivery(181.0)
    assert third.transmission == 3
    dropped = queue.failed(third.seq, 181.5, "no answer in time")
    assert isinstance(dropped, Dropped)
    assert dropped.failures == 3 and dropped.request.seq_no == 1
    assert queue.dropped == [dropped]
    following = queue.next_delivery(181.5)  # the next message goes at once
    assert following.request.seq_no == 2 and following.transmission == 1


def test_lost_connection_is_not_an_attempt():
    store = MemoryStore()
    queue = OfflineQueue("2.1", store, RetryPolicy(attempts=1, interval=5))
    queue.enqueue(event("Updated", 1))
    for _ in range(5):  # with attempts=1, one counted failure would drop it
        queue.connected()
        delivery = queue.next_delivery(0.0)
        assert delivery.transmission == 1
        queue.connection_lost()
        assert queue.in_flight is None and queue.next_delivery(0.0) is None
    assert store.peek().failures == 0
    queue.connected()
    delivery = queue.next_delivery(0.0)
    assert queue.answered(delivery.seq, M21.TransactionEventResponse(), 0.0) is not None
    assert queue.dropped == [] and len(queue) == 0


def test_an_answer_that_cannot_be_read_is_a_failed_transmission():
    queue = OfflineQueue("2.1", MemoryStore(), RetryPolicy(attempts=2, interval=1))
    queue.enqueue(event("Updated", 1))
    queue.connected()
    delivery = queue.next_delivery(0.0)
    # A 2.0.1 message is no 2.1 answer: no proof the CSMS processed the event.
    assert queue.answered(delivery.seq, OK_201, 0.0) is None
    assert queue.store.peek().failures == 1 and queue.next_deadline() == 1.0
    retry = queue.next_delivery(1.0)
    assert retry.transmission == 2
    assert queue.answered(retry.seq, M21.TransactionEventResponse(), 1.0) is not None


def test_failures_survive_a_restart_the_retry_wait_does_not():
    store = MemoryStore()
    queue = OfflineQueue("2.0.1", store, RetryPolicy(attempts=2, interval=100))
    queue.enqueue(event("Updated", 1))
    queue.connected()
    queue.failed(queue.next_delivery(0.0).seq, 0.0, "CALLERROR")
    assert queue.next_delivery(50.0) is None
    restarted = OfflineQueue("2.0.1", store, RetryPolicy(attempts=2, interval=100))
    restarted.connected()
    delivery = restarted.next_delivery(0.0)  # due at once after a restart
    assert delivery.transmission == 2
    assert isinstance(restarted.failed(delivery.seq, 0.0, "CALLERROR"), Dropped)


def test_queue_belongs_to_one_version():
    store = MemoryStore()
    OfflineQueue("1.6", store)
    with pytest.raises(LocalProtocolError, match=r"OCPP 1\.6"):
        OfflineQueue("2.0.1", store)


def test_v16_transaction_id_bound_across_a_restart():
    store = MemoryStore()
    queue = OfflineQueue("1.6", store)
    # Queued offline: the StartTransaction has no id yet, the rest will need it.
    queue.enqueue(event("Started", 0))
    queue.enqueue(event("Updated", 1))
    queue.enqueue(event("Updated", 2))
    queue.enqueue(event("Ended", 3))
    queue.connected()
    start = queue.next_delivery(0.0)
    assert start.action == "StartTransaction" and start.native.meter_start == 1000
    assert queue.answered(start.seq, answer16("StartTransaction", 42), 0.0) is not None
    assert store.state()[BINDING_PREFIX + "tx-1"] == "1 42"
    meter_values = queue.next_delivery(0.0)
    assert meter_values.native.transaction_id == 42
    queue.connection_lost()  # in flight when the station dies

    restarted = OfflineQueue("1.6", store)  # a new process over the same store
    restarted.connected()
    actions = []
    for _ in range(3):
        delivery = restarted.next_delivery(0.0)
        assert delivery.native.transaction_id == 42
        actions.append((delivery.action, delivery.request.seq_no))
        restarted.answered(delivery.seq, answer16(delivery.action), 0.0)
    assert actions == [("MeterValues", 1), ("MeterValues", 2), ("StopTransaction", 3)]
    # The stop was answered: the binding is gone from the store and from the map.
    assert not any(key.startswith(BINDING_PREFIX) for key in store.state())
    assert restarted.transaction_ids.get("tx-1") is None and len(restarted) == 0


def test_v16_retried_start_binds_the_id_of_the_answer():
    store = MemoryStore()
    queue = OfflineQueue("1.6", store, RetryPolicy(attempts=3, interval=0))
    queue.enqueue(event("Started", 0))
    queue.enqueue(event("Updated", 1))
    queue.connected()
    start = queue.next_delivery(0.0)
    queue.failed(start.seq, 0.0, "CALLERROR InternalError")
    again = queue.next_delivery(0.0)
    assert again.seq == start.seq and again.transmission == 2
    queue.answered(again.seq, answer16("StartTransaction", 7), 0.0)
    assert queue.next_delivery(0.0).native.transaction_id == 7


def test_v16_messages_of_a_dropped_start_are_dropped_and_forgotten():
    store = MemoryStore()
    queue = OfflineQueue("1.6", store, RetryPolicy(attempts=1, interval=0))
    for n, kind in enumerate(["Started", "Updated", "Ended"]):
        queue.enqueue(event(kind, n))
    queue.enqueue(event("Started", 0, transaction_id="tx-2"))
    queue.connected()
    start = queue.next_delivery(0.0)
    assert isinstance(queue.failed(start.seq, 0.0, "CALLERROR"), Dropped)
    # The Updated and Ended have no 1.6 id: dropped with the reason; the next
    # transaction is not held up.
    following = queue.next_delivery(0.0)
    assert following.request.transaction_id == "tx-2"
    assert [d.request.event_type for d in queue.dropped] == ["Started", "Updated", "Ended"]
    assert "no 1.6 id" in queue.dropped[1].reason
    assert queue.transaction_ids.get("tx-1") is None


def test_v16_messages_of_a_dropped_start_stay_refused_after_a_restart():
    # Numeric generic ids ("1") would otherwise map to 1.6 transactionId=1 once the
    # in-memory entry is gone: another transaction's id on the CSMS.
    store = MemoryStore()
    queue = OfflineQueue("1.6", store, RetryPolicy(attempts=1, interval=0))
    for n, kind in enumerate(["Started", "Updated", "Ended"]):
        queue.enqueue(event(kind, n, transaction_id="1"))
    queue.connected()
    start = queue.next_delivery(0.0)
    assert isinstance(queue.failed(start.seq, 0.0, "CALLERROR"), Dropped)
    restarted = OfflineQueue("1.6", store, RetryPolicy(attempts=1, interval=0))
    restarted.connected()
    assert restarted.next_delivery(1.0) is None  # nothing sent under transactionId=1
    assert [d.request.event_type for d in restarted.dropped] == ["Updated", "Ended"]
    assert all("no 1.6 id" in d.reason for d in restarted.dropped)
    # The dropped Ended ended it: nothing of transaction "1" is left, stored or not.
    assert restarted.transaction_ids.get("1") is None
    assert not [key for key in store.state() if key.endswith("/1")]


def test_retry_policy_bounds():
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(interval=-1)
    assert RetryPolicy(attempts=3, interval=60).delay_after(2) == 120


# Weighted so that failures pile up on one message often enough to reach the drop.
OPERATIONS = st.sampled_from(
    ["enqueue"] * 4
    + ["connect"] * 3
    + ["fail"] * 6
    + ["answer"] * 3
    + ["lose", "restart"]
    + [("advance", 0.5), ("advance", 1.0), ("advance", 2.5)]
)


@given(
    operations=st.lists(OPERATIONS, min_size=20, max_size=80),
    attempts=st.integers(1, 4),
    interval=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_queue_against_a_model(operations, attempts, interval):
    """Whatever happens: messages leave in the order they came, once each, dropped only
    after `attempts` failed transmissions; a retry never comes before interval x
    failures; a lost connection or a restart changes no failure count."""
    store = MemoryStore()
    policy = RetryPolicy(attempts=attempts, interval=interval)
    queue = OfflineQueue("2.0.1", store, policy)
    now = 0.0
    enqueued: list[int] = []
    answered: list[int] = []
    dropped: list[int] = []
    finished: list[int] = []  # answered or dropped, in the order it happened
    failures: dict[int, int] = {}
    online = False
    retry_at = None
    in_flight = None

    def head():
        done = len(answered) + len(dropped)
        return enqueued[done] if done < len(enqueued) else None

    for operation in operations:
        if operation == "enqueue":
            number = len(enqueued)
            queue.enqueue(event("Updated", number))
            enqueued.append(number)
            failures[number] = 0
        elif operation == "connect":
            queue.connected()
            online = True
        elif operation == "lose":
            queue.connection_lost()
            online, in_flight = False, None
        elif operation == "restart":
            queue = OfflineQueue("2.0.1", store, policy)
            online, in_flight, retry_at = False, None, None
        elif operation == "answer" and in_flight is not None:
            assert queue.answered(in_flight.seq, OK_201, now) is not None
            answered.append(in_flight.request.seq_no)
            finished.append(in_flight.request.seq_no)
            in_flight, retry_at = None, None
        elif operation == "fail" and in_flight is not None:
            number = in_flight.request.seq_no
            failures[number] += 1
            outcome = queue.failed(in_flight.seq, now, "CALLERROR")
            if failures[number] >= attempts:
                assert isinstance(outcome, Dropped) and outcome.failures == attempts
                dropped.append(number)
                finished.append(number)
                retry_at = None
            else:
                assert outcome is None
                retry_at = now + interval * failures[number]
            in_flight = None
        elif isinstance(operation, tuple):
            now += operation[1]

        if in_flight is None:
            delivery = queue.next_delivery(now)
            due = online and head() is not None and (retry_at is None or now >= retry_at)
            assert (delivery is not None) == due, (operation, retry_at, now)
            if delivery is not None:
                assert delivery.request.seq_no == head()
                assert delivery.transmission == failures[head()] + 1
                in_flight = delivery
        else:
            assert queue.next_delivery(now) is None  # one in flight

    assert finished == enqueued[: len(finished)]  # in order, once each
    assert (
        queue.dropped == []
        or [d.request.seq_no for d in queue.dropped] == dropped[len(dropped) - len(queue.dropped) :]
    )
    assert len(queue) == len(enqueued) - len(finished)
    assert [entry.failures for entry in store.messages()] == [
        failures[number] for number in enqueued[len(finished) :]
    ]


@given(
    attempts=st.integers(1, 6),
    interval=st.sampled_from([0.0, 0.25, 1.0, 60.0]),
    lateness=st.lists(st.sampled_from([0.0, 0.1, 3.0]), min_size=6, max_size=6),
)
def test_retry_schedule_of_one_message(attempts, interval, lateness):
    """Transmission n+1 of a failing message comes interval x n after failure n, not
    before; after `attempts` failures the message is dropped."""
    queue = OfflineQueue("2.0.1", MemoryStore(), RetryPolicy(attempts=attempts, interval=interval))
    queue.enqueue(event("Updated", 1))
    queue.connected()
    now = 0.0
    for transmission in range(1, attempts + 1):
        delivery = queue.next_delivery(now)
        assert delivery is not None and delivery.transmission == transmission
        now += lateness[transmission - 1]  # the answer (an error) takes a while
        outcome = queue.failed(delivery.seq, now, "CALLERROR InternalError")
        if transmission == attempts:
            assert isinstance(outcome, Dropped) and outcome.failures == attempts
            break
        assert outcome is None
        retry_at = now + interval * transmission
        assert queue.next_deadline() == retry_at
        if interval:
            assert queue.next_delivery(retry_at - 0.01) is None
        now = retry_at
    assert len(queue) == 0 and queue.next_delivery(now + 1000) is None
