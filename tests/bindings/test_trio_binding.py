"""What only the trio binding has: its async context managers (connect, serve, Station)
in a plain `trio.run`, cancel scopes around a CALL, an async handler that calls the peer
before it answers, structured frame logs, errors raised as themselves (not wrapped in an
ExceptionGroup by the nurseries inside)."""

import logging

import ocpp_trio
import pytest
import trio

from ocpp_core.handlers import Backoff
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings import builders as b
from tests.bindings.test_binding_suite import csms_router

pytestmark = pytest.mark.timeout(30)

CONFIG = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))


def test_a_cancelled_call_leaves_the_connection_working():
    slow = csms_router("2.0.1")

    async def data_transfer(conn, request):
        await trio.sleep(0.5)
        return b.data_transfer_response("2.0.1", request.data)

    slow.add(b.messages_of("2.0.1").DataTransferRequest, data_transfer)

    async def main():
        async with ocpp_trio.serve(CONFIG, router=slow) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            async with ocpp_trio.connect(StationConfig(url=url, identity="CP1")) as conn:
                with trio.move_on_after(0.05) as scope:
                    await conn.call(b.data_transfer("2.0.1", "late"))
                # The core still waits for that answer; the next CALL queues behind it.
                beat = await conn.call(b.heartbeat_request("2.0.1"), timeout=5)
                return scope.cancelled_caught, beat, conn.closed

    cancelled, beat, closed = trio.run(main)
    assert cancelled and beat == b.heartbeat_response("2.0.1") and not closed


def test_errors_come_out_as_themselves():
    def refuse(conn, request):
        raise ocpp_trio.CallError("SecurityError", "not you")

    async def main():
        router = csms_router("2.0.1", DataTransferRequest=refuse)

        def on_connect(conn):
            if conn.request.identity == "BAD":
                return ocpp_trio.Reject(401)
            return ocpp_trio.Accept()

        async with ocpp_trio.serve(CONFIG, router=router, on_connect=on_connect) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            with pytest.raises(ocpp_trio.HandshakeError) as refused:
                async with ocpp_trio.connect(StationConfig(url=url, identity="BAD")):
                    pass
            with pytest.raises(ocpp_trio.CallError) as caught:
                async with ocpp_trio.connect(StationConfig(url=url, identity="CP1")) as conn:
                    await conn.call(b.data_transfer("2.0.1"))
            with pytest.raises(KeyError):  # the body's own exception
                async with ocpp_trio.connect(StationConfig(url=url, identity="CP1")):
                    raise KeyError("mine")
            with pytest.raises(TimeoutError):
                await server.wait_for_station("NOBODY", 0.05)
            return refused.value.status_code, caught.value.code, server.connections

    assert trio.run(main) == (401, "SecurityError", {})


def test_an_async_handler_may_call_the_peer_before_it_answers():
    m = b.messages_of("2.0.1")
    csms = ocpp_trio.Router()

    async def boot(conn, request):
        answer = await conn.call(b.data_transfer("2.0.1", "who are you?"), timeout=5)
        assert answer.data == "CP1"
        return b.boot_response("2.0.1")

    csms.add(m.BootNotificationRequest, boot)
    station_router = ocpp_trio.Router()
    station_router.add(
        m.DataTransferRequest, lambda conn, r: b.data_transfer_response("2.0.1", conn.identity)
    )

    async def main():
        async with ocpp_trio.serve(CONFIG, router=csms) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            config = StationConfig(url=url, identity="CP1")
            async with ocpp_trio.connect(config, station_router, auto_heartbeat=False) as conn:
                return await conn.call(b.boot_request("2.0.1"), timeout=5)

    assert trio.run(main) == b.boot_response("2.0.1")


def test_station_context_manager_reconnects_and_closes(caplog):
    boots = []

    async def main():
        async with ocpp_trio.serve(CONFIG, router=csms_router("2.0.1"), log_frames=True) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"

            async def on_connected(conn):
                boots.append(await conn.call(b.boot_request("2.0.1"), timeout=5))

            config = StationConfig(url=url, identity="CP1")
            backoff = Backoff(initial=0.02, maximum=0.05)
            async with ocpp_trio.Station(config, on_connected=on_connected, backoff=backoff) as st:
                first = await st.wait_connected(5)
                with trio.fail_after(5):
                    while not boots:
                        await trio.sleep(0.01)
                await (await server.wait_for_station("CP1", 5)).close(1012, "restart")
                with trio.fail_after(5):
                    while len(boots) < 2:
                        await trio.sleep(0.01)
                second = await st.wait_connected(5)
            return first is not second, st.connects, second.closed

    with caplog.at_level(logging.INFO, logger="ocpp_trio.frames"):
        assert trio.run(main) == (True, 2, True)
    records = [r for r in caplog.records if r.name == "ocpp_trio.frames"]
    assert [(r.ocpp_identity, r.ocpp_direction) for r in records] == [
        ("CP1", "in"),
        ("CP1", "out"),
    ] * 2
    assert '"BootNotification"' in records[0].ocpp_frame
