"""`ocpp-toolkit station --scenario bad`: the negative battery against a CSMS.

One station connects with the `--ocpp` version, boots, then sends bad frames one at a
time on that connection: an unknown action, a missing field, a wrong type, an over-long
string, a bad enum value, a bad date-time, invalid JSON, an unknown message type, an
over-long message id, and the other cases `spec/ERROR-CODES.md` names for the version.
For each it prints what the spec prescribes (`CASES`: codes and the id the CALLERROR
carries, or no answer, read from spec/ERROR-CODES.md and spec/RPC-FRAMING.md), what came
back, and whether the connection survived (a Heartbeat afterwards is answered).
Exit status 0 when every case matched, 1 otherwise.

Where the spec text is ambiguous (‡ in ERROR-CODES.md) every listed code is accepted;
where the spec says the receiver may ignore the frame, no answer is accepted too.

The raw frames go out through `Connection.send_raw` (the core's opt-in raw path,
`RpcConfig(allow_send_raw=True)`), not through a second WebSocket stack: the handshake,
the framing and the Heartbeat probe are then exactly what every other station sends.
"""

import argparse
import asyncio
import json
import uuid
from typing import Any, Optional

import ocpp_asyncio

from ocpp_cli.scenario_run import Output, answer_to, quiet_unmatched

UNREADABLE = "-1"
SAME = "<id>"  # the answer carries the id of the bad frame
T = "2026-01-01T00:00:00Z"
# How long the answer to a bad frame may come after the Heartbeat probe's answer. A
# CSMS reads one connection in order, so its answer normally precedes the probe's.
LATE_ANSWER_GRACE = 0.2


class Expected:
    """What the spec prescribes for one case: a CALLERROR with one of `codes` carrying
    one of `ids`, or (when `silence`) no answer at all."""

    def __init__(
        self,
        codes: "tuple[str, ...]" = (),
        ids: "tuple[str, ...]" = (SAME,),
        silence: bool = False,
        source: str = "",
    ) -> None:
        self.codes = codes
        self.ids = ids
        self.silence = silence
        self.source = source

    def describe(self) -> str:
        parts = []
        if self.silence:
            parts.append("no answer")
        if self.codes:
            text = "CALLERROR " + "|".join(self.codes)
            if self.ids == (UNREADABLE,):
                text += ' (id "-1")'
            elif UNREADABLE in self.ids:
                text += ' (its id or "-1")'
            parts.append(text)
        return ", or ".join(parts)

    def matches(self, frame: "Optional[list[Any]]", frame_id: Optional[str]) -> bool:
        if frame is None:
            return self.silence
        if frame[0] != 4 or len(frame) < 3:
            return False
        answer_id = SAME if frame[1] == frame_id else frame[1]
        return frame[2] in self.codes and answer_id in self.ids


class Case:
    def __init__(self, name: str, text: str, frame_id: Optional[str], expected: Expected) -> None:
        self.name = name
        self.text = text
        self.frame_id = frame_id
        self.expected = expected


def _frame(message_type: int, message_id: Any, *rest: Any) -> str:
    return json.dumps([message_type, message_id, *rest], separators=(",", ":"))


def cases(version: str, prefix: str) -> "list[Case]":
    """The battery for `version`; message ids start with `prefix` (2.1 ids must be unique
    across every connection of the identity, P4.21 §4.1.4)."""
    v16 = version == "1.6"
    occurrence = "OccurenceConstraintViolation" if v16 else "OccurrenceConstraintViolation"
    battery: list[Case] = []

    def case(name: str, expected: Expected, build: Any, frame_id: Optional[str] = None) -> None:
        message_id = frame_id if frame_id is not None else f"{prefix}-{len(battery) + 1:02d}"
        battery.append(Case(name, build(message_id), message_id, expected))

    def call(action: str, payload: Any) -> Any:
        return lambda message_id: _frame(2, message_id, action, payload)

    def status(**changes: Any) -> "dict[str, Any]":
        if v16:
            payload = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
        else:
            payload = {
                "timestamp": T,
                "connectorStatus": "Available",
                "evseId": 1,
                "connectorId": 1,
            }
        payload.update(changes)
        return payload

    def token(value: str) -> "dict[str, Any]":
        return {"idTag": value} if v16 else {"idToken": {"idToken": value, "type": "Central"}}

    case(
        "unknown-action",
        Expected(("NotImplemented",), source="Action not known (J16 T7, P4 T8)"),
        call("FooBar", {}),
    )
    case(
        "action-wrong-case",
        Expected(("NotImplemented",), source="actions are case-sensitive (J16 §4.2.1)"),
        call("heartbeat", {}),
    )
    case(
        "action-of-the-csms",
        Expected(("NotImplemented", "NotSupported"), source="known, not handled ‡"),
        call("Reset", {"type": "Hard" if v16 else "Immediate"}),
    )
    case(
        "missing-required-field",
        Expected(
            (occurrence, "ProtocolError") if v16 else (occurrence,),
            source="schema required" + (" ‡" if v16 else ""),
        ),
        call("Authorize", {}),
    )
    case(
        "wrong-type",
        Expected(("TypeConstraintViolation",), source="schema type"),
        call("StatusNotification", status(**{"connectorId" if v16 else "evseId": "one"})),
    )
    # idTag is CiString20 (1.6); idToken string[36] (2.0.1), string[255] (2.1).
    length = {"1.6": 20, "2.0.1": 36, "2.1": 255}[version] + 1
    case(
        "string-too-long",
        Expected(("PropertyConstraintViolation", "TypeConstraintViolation"), source="maxLength ‡"),
        call("Authorize", token("T" * length)),
    )
    case(
        "bad-enum-value",
        Expected(("PropertyConstraintViolation",), source="schema enum"),
        call("StatusNotification", status(**{"status" if v16 else "connectorStatus": "Bogus"})),
    )
    case(
        "bad-date-time",
        Expected(
            ("PropertyConstraintViolation", "TypeConstraintViolation"), source="format date-time ‡"
        ),
        call("StatusNotification", status(timestamp="yesterday")),
    )
    null_field = (
        call("StatusNotification", status(info=None))
        if v16
        else call("Authorize", {**token("TAG1"), "certificate": None})
    )
    case(
        "null-for-optional-field",
        Expected(("TypeConstraintViolation",), source="no null in any schema (P4 §4.1.5)"),
        null_field,
    )
    case(
        "unknown-field",
        Expected(
            ("FormationViolation",) if v16 else ("ProtocolError", "FormatViolation"),
            source="additionalProperties false" + ("" if v16 else " ‡"),
        ),
        call("Heartbeat", {"foo": 1}),
    )
    case(
        "payload-not-an-object",
        Expected(
            ("FormationViolation", "TypeConstraintViolation")
            if v16
            else ("ProtocolError", "RpcFrameworkError", "TypeConstraintViolation"),
            source="payload is an object ‡",
        ),
        call("Heartbeat", []),
    )
    case(
        "frame-too-short",
        Expected(
            ("FormationViolation", "GenericError", "ProtocolError")
            if v16
            else ("RpcFrameworkError",),
            source="RPC frame" + (" ‡" if v16 else ""),
        ),
        lambda message_id: _frame(2, message_id, "Heartbeat"),
    )
    case(
        "invalid-json",
        Expected(("FormationViolation",), source="J16 §4.1.2")
        if v16
        else Expected(
            ("FormatViolation", "RpcFrameworkError"),
            ids=(SAME, UNREADABLE),
            source="P4 §4.2.3 ‡",
        ),
        lambda message_id: f'[2,"{message_id}","Heartbeat",{{',
    )
    case(
        "invalid-json-no-id",
        Expected(silence=True, source="1.6 has no id to answer with")
        if v16
        else Expected(
            ("FormatViolation", "RpcFrameworkError"), ids=(UNREADABLE,), source="P4 §4.2.3 ‡"
        ),
        lambda message_id: "nonsense{",
    )
    case(
        "unknown-message-type",
        {
            "1.6": Expected(
                ("FormationViolation", "GenericError"), silence=True, source="J16 §4.1.3 ‡"
            ),
            "2.0.1": Expected(("MessageTypeNotSupported",), source="P4 §4.4 SHALL"),
            "2.1": Expected(("MessageTypeNotSupported",), silence=True, source="P4.21 §4.4"),
        }[version],
        lambda message_id: _frame(7, message_id, {}),
    )
    long_id = (prefix + "-" + "x" * 36)[:37]
    case(
        "message-id-too-long",
        Expected(("FormationViolation", "GenericError"), source="J16 §4.2.3 ‡")
        if v16
        else Expected(("RpcFrameworkError",), ids=(UNREADABLE,), source="P4 §4.2.3"),
        lambda message_id: _frame(2, message_id, "Heartbeat", {}),
        frame_id=long_id,
    )
    case(
        "unmatched-callresult",
        Expected(
            ("FormationViolation", "GenericError")
            if v16
            else ("GenericError", "RpcFrameworkError"),
            silence=True,
            source="a reply to nothing: ignore, or the table code",
        ),
        lambda message_id: _frame(3, message_id, {}),
    )
    case(
        "send-frame",
        {
            "1.6": Expected(
                ("FormationViolation", "GenericError"), silence=True, source="unknown type in 1.6"
            ),
            "2.0.1": Expected(("MessageTypeNotSupported",), source="unknown type, P4 §4.4"),
            "2.1": Expected(silence=True, source="a SEND is never answered, P4.21 §4.2.4"),
        }[version],
        lambda message_id: _frame(6, message_id, "Heartbeat", {}),
    )
    if version == "2.1":
        stream = {"id": 1, "pending": 0, "basetime": T, "data": [{"t": 0.0, "v": "1"}]}
        case(
            "call-carrying-a-send-message",
            Expected(("NotImplemented", "NotSupported"), source="P4.21 §4.1.3 ‡"),
            call("NotifyPeriodicEventStream", stream),
        )
        case(
            "unmatched-callresulterror",
            Expected(("GenericError", "RpcFrameworkError"), silence=True, source="P4.21 §4.1.4"),
            lambda message_id: _frame(5, message_id, "GenericError", "", {}),
        )
    return battery


def describe_received(frame: "Optional[list[Any]]", frame_id: Optional[str]) -> str:
    if frame is None:
        return "none"
    if frame[0] == 3:
        return "CALLRESULT"
    kind = {4: "CALLERROR", 5: "CALLRESULTERROR"}.get(frame[0], f"type {frame[0]}")
    code = frame[2] if len(frame) > 2 else "?"
    if frame[1] == UNREADABLE and frame_id != UNREADABLE:
        return f'{kind} {code} (id "-1")'
    return f"{kind} {code}"


# -- running it ---------------------------------------------------------------------------------


def _boot_request(version: str) -> Any:
    from ocpp_core.codec import Codec

    if version == "1.6":
        payload: dict[str, Any] = {"chargePointVendor": "ocpp-toolkit", "chargePointModel": "bad"}
    else:
        payload = {
            "reason": "PowerUp",
            "chargingStation": {"vendorName": "ocpp-toolkit", "model": "bad"},
        }
    return Codec(version).decode_request("BootNotification", payload).message


class Battery:
    def __init__(self, args: argparse.Namespace, ssl: Any, frame_log: Any) -> None:
        from ocpp_core.config import RpcConfig
        from ocpp_core.ws import StationConfig

        self.args = args
        self.ssl = ssl
        self.frame_log = frame_log
        self.config = StationConfig(
            url=args.csms,
            identity=args.id,
            versions=(args.ocpp,),
            password=args.password,
            rpc_config=RpcConfig(allow_send_raw=True, call_timeout=args.timeout),
        )
        self.incoming: list[str] = []
        self.conn: Optional[ocpp_asyncio.Connection] = None

    async def connect(self) -> "ocpp_asyncio.Connection":
        from ocpp_cli.sim import Stats, watch_frames

        conn = await ocpp_asyncio.connect(self.config, ssl=self.ssl, auto_heartbeat=False)
        watch_frames(conn, self.args.id, "station", Stats(), self.frame_log)
        previous = conn.core.on_frame

        def on_frame(direction: str, text: str) -> None:
            if previous is not None:
                previous(direction, text)
            if direction == "in":
                self.incoming.append(text)

        conn.core.on_frame = on_frame
        try:
            await conn.call(_boot_request(self.args.ocpp), timeout=self.args.timeout)
        except (ocpp_asyncio.CallError, ocpp_asyncio.CallTimeout, ocpp_asyncio.InvalidResponse):
            pass  # the battery runs anyway: each case says what it got
        self.conn = conn
        return conn

    async def probe(self, conn: "ocpp_asyncio.Connection") -> bool:
        """Does the CSMS still answer? (any answer to a Heartbeat counts)"""
        from ocpp_core.handlers import heartbeat_request

        if conn.closed:
            return False
        try:
            await conn.call(heartbeat_request(self.args.ocpp), timeout=self.args.timeout)
        except ocpp_asyncio.CallError:
            return True
        except (ocpp_asyncio.CallTimeout, ConnectionError, ocpp_asyncio.InvalidResponse):
            return False
        return True

    async def run_case(self, case: Case) -> "tuple[Optional[list[Any]], bool]":
        conn = self.conn
        if conn is None or conn.closed:
            conn = await self.connect()
        start = len(self.incoming)

        def answer() -> Optional[list[Any]]:
            for text in self.incoming[start:]:
                frame = answer_to(text, case.frame_id)
                if frame is not None:
                    return frame
            return None

        conn.send_raw(case.text)
        # The probe goes right behind the bad frame: its answer marks the point by which
        # the CSMS has dealt with the bad frame (one connection is read in order).
        survived = await self.probe(conn)
        if answer() is None and survived:
            await asyncio.sleep(LATE_ANSWER_GRACE)
        return answer(), survived


async def run_bad(args: argparse.Namespace, ssl: Any, stream: Any) -> int:
    from ocpp_cli.sim import FrameLog

    quiet_unmatched(args)
    out = Output()
    battery = Battery(args, ssl, FrameLog(stream) if stream is not None else None)
    try:
        await battery.connect()
    except (OSError, ocpp_asyncio.HandshakeError, asyncio.TimeoutError, ConnectionError) as exc:
        out.line(f"{args.id}: cannot connect to {args.csms}: {exc}")
        return 1
    all_cases = cases(args.ocpp, "bad-" + uuid.uuid4().hex[:8])
    width = max(len(case.name) for case in all_cases)
    out.line(f"{args.id} (OCPP {args.ocpp}) bad frames -> {args.csms}")
    matched = 0
    try:
        for case in all_cases:
            try:
                frame, survived = await battery.run_case(case)
            except (
                OSError,
                ocpp_asyncio.HandshakeError,
                asyncio.TimeoutError,
                ConnectionError,
            ) as exc:
                frame, survived = None, False
                out.line(f"{case.name}: cannot reconnect: {exc}")
            ok = survived and case.expected.matches(frame, case.frame_id)
            matched += ok
            out.case(
                ok,
                f"{case.name:<{width}}  spec: {case.expected.describe()} [{case.expected.source}]"
                f"  got: {describe_received(frame, case.frame_id)}"
                f"  survived: {'yes' if survived else 'no'}",
            )
    finally:
        if battery.conn is not None:
            await battery.conn.close()
    total = len(all_cases)
    out.line(
        f"{matched}/{total} cases matched the spec"
        + ("" if matched == total else f", {total - matched} did not")
    )
    return 0 if matched == total else 1
