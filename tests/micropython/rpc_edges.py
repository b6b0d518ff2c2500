"""RpcSession paths beyond the happy exchange, on MicroPython and CPython alike.

Timeouts and late replies, the queue behind the CALL in flight, connection loss,
refused sends (LocalProtocolError, state unchanged), a CSMS that requires an
accepted boot, 2.1 CALLRESULTERROR, frozen events and config, UUID ids from
`random.getrandbits`. Each step is asserted here and printed as one line; the pytest
test compares the output of both interpreters.
"""

import json
import random

from ocpp_core.config import RpcConfig
from ocpp_core.errors import LocalProtocolError
from ocpp_core.ids import CounterIds, Uuid4Ids
from ocpp_core.pycodec import PyCodec
from ocpp_core.rpc import RpcSession

NOW = "2024-05-01T12:00:00Z"


def names(events):
    return [type(event).__name__ for event in events]


def pair(version, csms_config=None, station_config=None):
    station = RpcSession(
        "station", version, CounterIds("s"), config=station_config, codec=PyCodec(version)
    )
    csms = RpcSession("csms", version, CounterIds("c"), config=csms_config, codec=PyCodec(version))
    return station, csms


def deliver(src, dst, now):
    texts = src.messages_to_send()
    for text in texts:
        dst.receive_message(text, now)
    return len(texts)


def check(label, condition):
    assert condition, label
    print("ok " + label)


def timeouts_and_late_replies(version):
    station, _ = pair(version, station_config=RpcConfig(call_timeout=10.0))
    first = station.call({}, 0.0, action="Heartbeat")
    second = station.call({}, 1.0, action="Heartbeat")
    check("second CALL queued", station.queued_calls == [second])
    check("deadline of the first", station.next_deadline() == 10.0)
    check("one message on the wire", len(station.messages_to_send()) == 1)
    station.tick(9.5)
    check("no timeout before the deadline", station.events() == [])
    station.tick(10.0)
    check("CallTimedOut at the deadline", names(station.events()) == ["CallTimedOut"])
    check("the queued CALL goes out", station.call_in_flight == second)
    sent = station.messages_to_send()
    check("its text is the queued CALL", json.loads(sent[0])[1] == second)
    # The CSMS answers the first CALL late.
    station.receive_message(json.dumps([3, first, {"currentTime": NOW}]), 11.0)
    (late,) = station.events()
    check("late reply reported", type(late).__name__ == "UnmatchedResponse")
    check("late reply names its action", late.action == "Heartbeat")
    station.receive_message(json.dumps([3, second, {"currentTime": NOW}]), 12.0)
    check("reply to the second", names(station.events()) == ["CallResultReceived"])
    check("nothing in flight", station.call_in_flight is None and station.next_deadline() is None)


def refused_sends(version):
    station, csms = pair(version)
    try:
        station.call({"chargePointVendor": 5}, 0.0, action="BootNotification")
        raised = False
    except LocalProtocolError as error:
        raised = error.violation is not None
    check("invalid CALL refused with its violation", raised)
    check("state unchanged", station.call_in_flight is None and station.messages_to_send() == [])
    for action in ("Reset", "NoSuchAction"):
        try:
            station.call({}, 0.0, action=action)
            refused = False
        except LocalProtocolError:
            refused = True
        check("station may not call " + action, refused)
    try:
        csms.reply("nope", {})
        refused = False
    except LocalProtocolError:
        refused = True
    check("reply to an unknown id refused", refused)
    try:
        station.send_raw("[]")
        refused = False
    except LocalProtocolError:
        refused = True
    check("send_raw off by default", refused)


def boot_required(version):
    station, csms = pair(version, csms_config=RpcConfig(require_boot_accepted=True))
    station.call({}, 0.0, action="Heartbeat")
    deliver(station, csms, 0.0)
    (rejected,) = csms.events()
    check("CALL before boot rejected", type(rejected).__name__ == "CallRejected")
    check("with SecurityError", rejected.error.code == "SecurityError")
    deliver(csms, station, 0.0)
    (error,) = station.events()
    check("station sees the CALLERROR", type(error).__name__ == "CallErrorReceived")
    check("code SecurityError", error.code == "SecurityError" and error.details == {})


def connection_loss(version):
    station, csms = pair(version)
    first = station.call({}, 0.0, action="Heartbeat")
    queued = station.call({}, 0.0, action="Heartbeat")
    deliver(station, csms, 0.0)
    (incoming,) = csms.events()
    csms.connection_lost("socket closed")
    (cancelled,) = csms.events()
    check("CSMS: unanswered CALL cancelled", type(cancelled).__name__ == "IncomingCallCancelled")
    check("for the right id", cancelled.message_id == incoming.message_id == first)
    station.connection_lost("socket closed")
    got = station.events()
    check(
        "station: in flight then queued cancelled", [e.message_id for e in got] == [first, queued]
    )
    check("with the reason", got[0].reason == "socket closed")
    try:
        station.call({}, 1.0, action="Heartbeat")
        refused = False
    except LocalProtocolError:
        refused = True
    check("closed session refuses calls", refused and station.closed)


def call_result_error_21():
    station, csms = pair("2.1")
    message_id = csms.call({"requestedMessage": "Heartbeat"}, 0.0, action="TriggerMessage")
    deliver(csms, station, 0.0)
    station.events()
    # The station's answer carries a status the schema does not know.
    csms.receive_message(json.dumps([3, message_id, {"status": "Maybe"}]), 1.0)
    (invalid,) = csms.events()
    check("invalid CALLRESULT reported", type(invalid).__name__ == "CallResultInvalid")
    check("as PropertyConstraintViolation", invalid.error.code == "PropertyConstraintViolation")
    answer = json.loads(invalid.answered_with)
    check("answered with CALLRESULTERROR", answer[0] == 5 and answer[1] == message_id)
    check("the CALL has ended", csms.call_in_flight is None)


def frozen_values():
    event_types = __import__("ocpp_core.events", None, None, ["CallTimedOut"], 0)
    event = event_types.CallTimedOut("m1", "Heartbeat")
    try:
        event.action = "Reset"
        frozen = False
    except AttributeError:
        frozen = True
    check("events are frozen", frozen and event.action == "Heartbeat")
    check("events compare by value", event == event_types.CallTimedOut("m1", "Heartbeat"))
    config = RpcConfig()
    try:
        config.call_timeout = 1.0
        frozen = False
    except AttributeError:
        frozen = True
    check("config is frozen", frozen)
    changed = config.replace(call_timeout=5)
    check("replace makes a new config", changed.call_timeout == 5 and config.call_timeout == 30.0)
    try:
        RpcConfig(call_timeout=True)
        refused = False
    except (TypeError, ValueError):
        refused = True
    check("a bool is not a timeout", refused)


def uuid_ids():
    random.seed(7)
    ids = Uuid4Ids(random.getrandbits)
    made = [ids() for _ in range(20)]
    hexdigits = "0123456789abcdef"
    good = True
    for text in made:
        parts = text.split("-")
        good = good and [len(p) for p in parts] == [8, 4, 4, 4, 12]
        good = good and all(c in hexdigits for c in "".join(parts))
        good = good and parts[2][0] == "4" and parts[3][0] in "89ab"
    check("uuid4 ids well formed", good and len(set(made)) == 20)
    station = RpcSession("station", "2.0.1", ids, codec=PyCodec("2.0.1"))
    message_id = station.call({}, 0.0, action="Heartbeat")
    check("session takes uuid ids", len(message_id) == 36)


def main():
    for version in ("1.6", "2.0.1", "2.1"):
        print("== " + version)
        timeouts_and_late_replies(version)
        refused_sends(version)
        boot_required(version)
        connection_loss(version)
    print("== 2.1 only")
    call_result_error_21()
    print("== values")
    frozen_values()
    uuid_ids()
    print("done")


main()
