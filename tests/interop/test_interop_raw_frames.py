"""A real `websockets` client sends raw text to the ocpp_asyncio CSMS: bad frames get the
CALLERROR the spec names (spec/ERROR-CODES.md), the connection keeps working, and a
quirks policy chosen in on_connect applies to its station only."""

import asyncio
import datetime
import json

import ocpp_asyncio
import pytest
from websockets.asyncio.client import connect as ws_connect

from ocpp_core.handlers import messages_of
from ocpp_core.quirks import QuirksPolicy
from ocpp_core.ws import CsmsConfig
from tests.interop import flows

pytestmark = pytest.mark.timeout(30)

NOW = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)


def router_for(version, seen):
    m = messages_of(version)
    router = ocpp_asyncio.Router()

    def heartbeat(conn, request):
        seen.append("Heartbeat")
        return m.HeartbeatResponse(current_time=NOW)

    def status(conn, request):
        seen.append(request)
        return m.StatusNotificationResponse()

    def authorize(conn, request):
        seen.append(request)
        raise AssertionError("an invalid Authorize must never reach the handler")

    router.add(m.HeartbeatRequest, heartbeat)
    router.add(m.StatusNotificationRequest, status)
    router.add(m.AuthorizeRequest, authorize)
    return router


def bad_status(version):
    if version == "1.6":
        return {"connectorId": "one", "errorCode": "NoError", "status": "Available"}
    return {"timestamp": flows.T, "connectorStatus": "Available", "evseId": 1, "connectorId": "one"}


# (frame text, expected id, acceptable codes) per case; None: no answer (1.6 has no id
# to answer an unreadable frame with).
def cases(version):
    v16 = version == "1.6"
    return [
        ('[2,"u1","FooBar",{}]', "u1", {"NotImplemented"}),
        ('[2,"u2","heartbeat",{}]', "u2", {"NotImplemented"}),
        (
            '[2,"m1","Authorize",{}]',
            "m1",
            {"OccurenceConstraintViolation" if v16 else "OccurrenceConstraintViolation"},
        ),
        (
            json.dumps([2, "t1", "StatusNotification", bad_status(version)]),
            "t1",
            {"TypeConstraintViolation"},
        ),
        (
            '[2,"j1","Heartbeat",{',
            "j1",
            {"FormationViolation"} if v16 else {"FormatViolation", "RpcFrameworkError"},
        ),
        ("nonsense{", None if v16 else "-1", set() if v16 else {"RpcFrameworkError"}),
    ]


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_bad_frames_get_the_spec_callerror_and_the_connection_keeps_working(version):
    seen = []

    async def scenario():
        config = CsmsConfig(path_prefix="/ocpp/", versions=(version,))
        answers = []
        async with await ocpp_asyncio.serve(config, router=router_for(version, seen)) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp/RAW1"
            async with ws_connect(url, subprotocols=[flows.SUBPROTOCOL[version]]) as ws:
                for text, message_id, _ in cases(version):
                    await ws.send(text)
                    # A valid CALL after each bad one: the connection still works,
                    # and answers arrive in order.
                    await ws.send(f'[2,"ok-{len(answers)}","Heartbeat",{{}}]')
                    first = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    if message_id is not None:
                        second = json.loads(await asyncio.wait_for(ws.recv(), 5))
                        answers.append((first, second))
                    else:
                        answers.append((None, first))
                still_open = "RAW1" in server.connections
        return answers, still_open

    answers, still_open = asyncio.run(scenario())
    assert still_open
    for index, ((text, message_id, codes), (error, ok)) in enumerate(
        zip(cases(version), answers, strict=True)
    ):
        if message_id is None:
            assert error is None
        else:
            assert error[:2] == [4, message_id], (text, error)
            assert error[2] in codes, (text, error)
            assert isinstance(error[3], str) and isinstance(error[4], dict)
        assert ok[:2] == [3, f"ok-{index}"] and ok[2]["currentTime"].startswith("2026-01-31")
    assert seen == ["Heartbeat"] * len(answers)  # no handler saw a bad frame


def test_quirks_policy_per_station_from_on_connect():
    """One server, a lenient and a strict station: only the lenient one's zoneless
    timestamp is read as UTC."""
    seen = []

    def on_connect(conn):
        if conn.request.identity == "LENIENT":
            return ocpp_asyncio.Accept(quirks=QuirksPolicy(zoneless_timestamps_utc=True))
        return ocpp_asyncio.Accept()

    frame = json.dumps(
        [
            2,
            "s1",
            "StatusNotification",
            {
                "connectorId": 1,
                "errorCode": "NoError",
                "status": "Available",
                "timestamp": "2026-01-31T12:00:00",
            },
        ]
    )

    async def scenario():
        config = CsmsConfig(path_prefix="/ocpp/", versions=("1.6",))
        server = await ocpp_asyncio.serve(
            config, router=router_for("1.6", seen), on_connect=on_connect
        )
        answers = {}
        async with server:
            for identity in ("LENIENT", "STRICT"):
                url = f"ws://127.0.0.1:{server.port}/ocpp/{identity}"
                async with ws_connect(url, subprotocols=["ocpp1.6"]) as ws:
                    await ws.send(frame)
                    answers[identity] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        return answers

    answers = asyncio.run(scenario())
    assert answers["LENIENT"] == [3, "s1", {}]
    assert answers["STRICT"][:2] == [4, "s1"]
    assert answers["STRICT"][2] in {"PropertyConstraintViolation", "TypeConstraintViolation"}
    (status,) = seen
    assert status.timestamp == NOW
