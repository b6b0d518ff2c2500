"""A station and a CSMS `RpcSession`, wired in memory, talking OCPP on MicroPython.

For each version (1.6, 2.0.1, 2.1) the station boots, sends Heartbeat,
StatusNotification and MeterValues; the CSMS calls TriggerMessage while the station's
MeterValues CALL is in flight (calls cross, both sides reply); 2.1 adds a SEND. Then
the station sends three bad frames, and the CSMS must answer each with the CALLERROR
the spec names (spec/ERROR-CODES.md). Both sessions use the pure-Python codec
(`PyCodec`, dict payloads), the one a MicroPython station runs.

Every event is asserted here (an AssertionError ends the script with status 1), and
every wire message and event is printed as a transcript. JSON objects are printed with
sorted keys: a MicroPython dict keeps no insertion order, so the raw wire text differs
between interpreters while its meaning must not. tests/test_micropython.py runs this on
MicroPython and on CPython and compares the transcripts.
"""

import json
import sys

from ocpp_core.config import RpcConfig
from ocpp_core.ids import CounterIds
from ocpp_core.pycodec import PyCodec
from ocpp_core.rpc import RpcSession

NOW = "2024-05-01T12:00:00Z"

# Per version: the payloads of the exchange, and the codes the bad frames must get.
PAYLOADS = {
    "1.6": {
        "boot": {"chargePointVendor": "ACME", "chargePointModel": "X1"},
        "status": {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
        "bad_status": {"connectorId": 1, "errorCode": "NoError", "status": "Free"},
        "meter": {
            "connectorId": 1,
            "transactionId": 7,
            "meterValue": [
                {
                    "timestamp": NOW,
                    "sampledValue": [
                        {
                            "value": "1200",
                            "measurand": "Energy.Active.Import.Register",
                            "unit": "Wh",
                        },
                        {
                            "value": "16.5",
                            "measurand": "Current.Import",
                            "unit": "A",
                            "phase": "L1",
                        },
                    ],
                }
            ],
        },
        "trigger": {"requestedMessage": "StatusNotification", "connectorId": 1},
        "not_json_code": "FormationViolation",
    },
    "2.0.1": {
        "boot": {"reason": "PowerUp", "chargingStation": {"model": "X1", "vendorName": "ACME"}},
        "status": {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
        "bad_status": {"timestamp": NOW, "connectorStatus": "Free", "evseId": 1, "connectorId": 1},
        "meter": {
            "evseId": 1,
            "meterValue": [
                {
                    "timestamp": NOW,
                    "sampledValue": [
                        {"value": 1200.5, "measurand": "Energy.Active.Import.Register"},
                        {"value": 16, "measurand": "Current.Import", "phase": "L1"},
                    ],
                }
            ],
        },
        "trigger": {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 1}},
        "not_json_code": ("FormatViolation", "RpcFrameworkError"),
    },
}
PAYLOADS["2.1"] = PAYLOADS["2.0.1"]

STATUS_FIELD = {"1.6": "status", "2.0.1": "connectorStatus", "2.1": "connectorStatus"}


# ---------------------------------------------------------------------------- output


def canon(value):
    """JSON text with object keys sorted (same on MicroPython and CPython)."""
    if isinstance(value, dict):
        keys = sorted(value)
        return "{" + ", ".join(json.dumps(k) + ": " + canon(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(canon(item) for item in value) + "]"
    return json.dumps(value)


def show(who, what):
    print(who + " " + what)


def describe_event(event):
    name = type(event).__name__
    if name in ("CallReceived", "CallResultReceived", "SendReceived"):
        return " ".join((name, event.message_id, event.action, canon(event.message)))
    if name == "CallErrorReceived":
        return " ".join((name, event.message_id, event.action, event.code, canon(event.details)))
    if name in ("CallRejected", "ProtocolViolation"):
        error = event.error
        head = name + " " + str(error.message_id) + " " + str(error.action)
        return head + " " + error.code + " " + repr(error.violation.path)
    if name == "UnmatchedResponse":
        return " ".join((name, event.message_id, str(event.kind), str(event.action)))
    return repr(event)


# ---------------------------------------------------------------------------- wiring


class Link:
    """Both sessions of one connection and the transcript of what passes between them."""

    def __init__(self, version):
        self.version = version
        self.now = 1000.0
        self.station = RpcSession(
            "station",
            version,
            CounterIds("st-"),
            # send_raw: the station plays a broken peer for the bad-frame part.
            config=RpcConfig(allow_send_raw=True),
            codec=PyCodec(version),
        )
        self.csms = RpcSession("csms", version, CounterIds("cs-"), codec=PyCodec(version))
        self.sent_errors = []  # CALLERROR frames the CSMS wrote, parsed

    def tick(self):
        self.now += 1.0

    def flush(self, sender_name):
        """Deliver every pending message of one side to the other; return the count."""
        if sender_name == "station":
            src, dst, arrow = self.station, self.csms, pad("station -> csms")
        else:
            src, dst, arrow = self.csms, self.station, pad("csms -> station")
        texts = src.messages_to_send()
        for text in texts:
            try:
                frame = json.loads(text)
            except ValueError:  # only a raw frame of ours may be broken
                assert sender_name == "station", "the CSMS wrote broken JSON: " + text
                show(arrow, text + "   (not JSON)")
            else:
                assert isinstance(frame, list), text
                if sender_name == "csms" and frame[0] == 4:
                    self.sent_errors.append(frame)
                if frame[0] in (4, 5) and len(frame) == 5:
                    # The description is prose: on a line of its own, so a test can
                    # pin the codes without pinning the wording.
                    # (concatenation: MicroPython has no `[*a, x]`)
                    show(arrow, canon(frame[:3] + ["..."] + frame[4:]))  # noqa: RUF005
                    print("    description: " + frame[3])
                else:
                    show(arrow, canon(frame))
            dst.receive_message(text, self.now)
        return len(texts)

    def events(self, side_name, expected):
        """Drain the events of one side; assert their types in order; return them."""
        session = self.station if side_name == "station" else self.csms
        got = session.events()
        for event in got:
            show(pad(side_name + " event"), describe_event(event))
        names = [type(event).__name__ for event in got]
        assert names == expected, (
            side_name + ": expected " + repr(expected) + ", got " + repr(names)
        )
        return got

    def quiet(self):
        for side in (self.station, self.csms):
            assert side.events() == [], "unexpected events"
            assert side.messages_to_send() == [], "unexpected messages"
            assert side.call_in_flight is None, "a CALL is still in flight"
            assert side.queued_calls == [], "CALLs still queued"
            assert side.unanswered_calls == [], "CALLs still unanswered"
            assert side.next_deadline() is None, "a deadline is still set"


def pad(text):
    # str.ljust does not exist on MicroPython.
    return text + " " * (18 - len(text))


# ---------------------------------------------------------------------------- the exchange


def station_call(link, action, payload, response):
    """Station CALLs `action`; the CSMS gets it and replies `response`."""
    link.tick()
    message_id = link.station.call(payload, link.now, action=action)
    assert link.station.call_in_flight == message_id
    link.flush("station")
    (received,) = link.events("csms", ["CallReceived"])
    assert (received.message_id, received.action) == (message_id, action)
    assert received.message == payload, received.message
    link.csms.reply(message_id, response)
    link.flush("csms")
    (result,) = link.events("station", ["CallResultReceived"])
    assert (result.message_id, result.action, result.message) == (message_id, action, response)
    assert link.station.call_in_flight is None
    return message_id


def crossing_calls(link, p):
    """Station MeterValues and CSMS TriggerMessage in flight at the same time."""
    link.tick()
    meter_id = link.station.call(p["meter"], link.now, action="MeterValues")
    trigger_id = link.csms.call(p["trigger"], link.now, action="TriggerMessage")
    link.flush("station")
    link.flush("csms")
    (meter,) = link.events("csms", ["CallReceived"])
    (trigger,) = link.events("station", ["CallReceived"])
    assert (meter.message_id, meter.action, meter.message) == (meter_id, "MeterValues", p["meter"])
    assert (trigger.message_id, trigger.action) == (trigger_id, "TriggerMessage")
    assert trigger.message == p["trigger"]
    # Both reply; each CALL is answered by the other side.
    link.station.reply(trigger_id, {"status": "Accepted"})
    link.csms.reply(meter_id, {})
    link.flush("station")
    link.flush("csms")
    (trigger_result,) = link.events("csms", ["CallResultReceived"])
    (meter_result,) = link.events("station", ["CallResultReceived"])
    assert (trigger_result.message_id, trigger_result.message) == (
        trigger_id,
        {"status": "Accepted"},
    )
    assert (meter_result.message_id, meter_result.message) == (meter_id, {})


def bad_frame(link, text, expected_code, expected_path, expected_event):
    """The station sends `text`; the CSMS must answer with a CALLERROR `expected_code`."""
    link.tick()
    link.station.send_raw(text)
    before = len(link.sent_errors)
    link.flush("station")
    (event,) = link.events("csms", [expected_event])
    codes = expected_code if isinstance(expected_code, tuple) else (expected_code,)
    assert event.error.code in codes, event.error.code
    assert event.error.violation.path == expected_path, event.error.violation.path
    link.flush("csms")
    assert len(link.sent_errors) == before + 1, "the CSMS did not answer with a CALLERROR"
    answer = link.sent_errors[-1]
    assert answer[2] == event.error.code
    assert answer[4] == ({"path": expected_path} if expected_path else {}), answer[4]
    # A CALLERROR to a raw frame matches no CALL of the station: it reports that.
    (unmatched,) = link.events("station", ["UnmatchedResponse"])
    assert unmatched.message_id == answer[1]
    return answer


def run(version):
    print("== OCPP " + version + " ==")
    p = PAYLOADS[version]
    link = Link(version)
    boot_response = {"status": "Accepted", "currentTime": NOW, "interval": 300}
    station_call(link, "BootNotification", p["boot"], boot_response)
    assert link.csms.boot_accepted
    station_call(link, "Heartbeat", {}, {"currentTime": NOW})
    station_call(link, "StatusNotification", p["status"], {})
    crossing_calls(link, p)
    if version == "2.1":
        link.tick()
        stream = {"id": 1, "pending": 0, "basetime": NOW, "data": [{"t": 0.5, "v": "230.1"}]}
        send_id = link.station.send(stream, link.now, action="NotifyPeriodicEventStream")
        link.flush("station")
        (sent,) = link.events("csms", ["SendReceived"])
        assert (sent.message_id, sent.action, sent.message) == (
            send_id,
            "NotifyPeriodicEventStream",
            stream,
        )
        assert link.csms.messages_to_send() == []  # a SEND is never answered
    link.quiet()

    # Bad frames. Each answer's code comes from spec/ERROR-CODES.md.
    bad_frame(link, '[2, "bad-1", "HeartBeat", {}]', "NotImplemented", "", "CallRejected")
    frame = json.dumps([2, "bad-2", "StatusNotification", p["bad_status"]])
    bad_frame(
        link,
        frame,
        "PropertyConstraintViolation",
        "$." + STATUS_FIELD[version],
        "CallRejected",
    )
    answer = bad_frame(
        link, '[2, "bad-3", "Heartbeat", {]', p["not_json_code"], "", "ProtocolViolation"
    )
    # The id of a broken frame is echoed when it can be read, else "-1" (2.x).
    assert answer[1] in ("bad-3", "-1"), answer[1]
    link.quiet()
    print("ok " + version)


def main():
    versions = sys.argv[1:] or ["1.6", "2.0.1", "2.1"]
    for version in versions:
        run(version)


main()
