"""What only the asyncio binding has: frame logging records, back-pressure through the
transport's write buffer, the uvloop-or-asyncio runner."""

import asyncio
import json
import logging

import ocpp_asyncio
import pytest
from ocpp_asyncio.connection import WRITE_HIGH_WATER
from websockets.asyncio.client import connect as ws_connect

from ocpp_core.config import RpcConfig
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings import builders as b

pytestmark = pytest.mark.timeout(30)


def test_frame_logging_is_opt_in_and_structured(caplog):
    router = ocpp_asyncio.Router()
    m = b.messages_of("2.0.1")
    router.add(m.HeartbeatRequest, lambda conn, request: b.heartbeat_response("2.0.1"))

    async def scenario():
        config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
        async with await ocpp_asyncio.serve(config, router=router, log_frames=True) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            conn = await ocpp_asyncio.connect(StationConfig(url=url, identity="CP1"))
            await conn.call(m.HeartbeatRequest())
            await conn.close()

    with caplog.at_level(logging.INFO, logger="ocpp_asyncio.frames"):
        asyncio.run(scenario())
    records = [r for r in caplog.records if r.name == "ocpp_asyncio.frames"]
    # Only the CSMS logs (the station did not ask): its CALL in, its CALLRESULT out.
    assert [(r.ocpp_identity, r.ocpp_direction) for r in records] == [("CP1", "in"), ("CP1", "out")]
    call, result = (json.loads(r.ocpp_frame) for r in records)
    assert call[0] == 2 and call[2:] == ["Heartbeat", {}]
    assert result[:2] == [3, call[1]] and "currentTime" in result[2]


def test_a_peer_that_does_not_read_is_not_buffered_without_bound():
    """A client floods CALLs and reads nothing: the CSMS's write buffer stays near its
    high-water mark, it stops reading, so the client's own sends stall; once the client
    reads again every CALL is answered, in order."""
    size = 64 * 1024
    TOTAL = 400  # 26 MB: far more than the loopback socket buffers hold
    m = b.messages_of("2.0.1")
    router = ocpp_asyncio.Router()
    router.add(
        m.DataTransferRequest, lambda conn, request: b.data_transfer_response("2.0.1", request.data)
    )
    frame = '[2,"{}","DataTransfer",{{"vendorId":"v","data":"' + "x" * size + '"}}]'

    async def scenario():
        config = CsmsConfig(
            path_prefix="/ocpp/",
            versions=("2.0.1",),
            permessage_deflate=False,
            rpc_config=RpcConfig(max_incoming_calls=10_000),
            max_message_size=4 * size,
        )
        async with await ocpp_asyncio.serve(config, router=router) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp/FLOOD"
            async with ws_connect(
                url, subprotocols=["ocpp2.0.1"], compression=None, max_size=None, max_queue=4
            ) as ws:
                conn = await server.wait_for_station("FLOOD", 5)
                transport = conn._writer.transport
                peak = 0
                sent = 0

                async def flood():
                    nonlocal sent
                    while sent < TOTAL:
                        await ws.send(frame.format(sent))
                        sent += 1

                task = asyncio.ensure_future(flood())
                # Sample until the client has made no progress for 0.3 s (stalled) or
                # has sent everything (the CSMS read it all: no back-pressure).
                last, quiet = -1, 0
                while not task.done() and quiet < 30:
                    await asyncio.sleep(0.01)
                    peak = max(peak, transport.get_write_buffer_size())
                    quiet = quiet + 1 if sent == last else 0
                    last = sent
                stalled = not task.done()
                task.cancel()
                answers = []
                while len(answers) < sent:
                    answers.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
        return peak, stalled, sent, answers

    peak, stalled, sent, answers = asyncio.run(scenario())
    assert stalled and 10 < sent < TOTAL
    # One write of answers (up to a few messages) may land on top of the high-water mark.
    assert peak <= WRITE_HIGH_WATER + 8 * (size + 100)
    assert [a[:2] for a in answers] == [[3, str(i)] for i in range(sent)]
    assert all(len(a[2]["data"]) == size for a in answers)


def test_run_uses_uvloop_when_installed():
    async def loop_module():
        return type(asyncio.get_running_loop()).__module__

    module = ocpp_asyncio.run(loop_module())
    try:
        import uvloop  # noqa: F401
    except ImportError:
        assert module.startswith("asyncio")
    else:
        assert module.startswith("uvloop")


def test_a_handler_may_call_the_peer_before_it_answers():
    """The CSMS's boot handler asks the station something first: the station answers
    that CALL while its own BootNotification is still open."""
    m = b.messages_of("2.0.1")
    csms_router = ocpp_asyncio.Router()

    async def boot(conn, request):
        answer = await conn.call(b.data_transfer("2.0.1", "who are you?"), timeout=5)
        assert answer.data == "CP1"
        return b.boot_response("2.0.1")

    csms_router.add(m.BootNotificationRequest, boot)
    station_router = ocpp_asyncio.Router()
    station_router.add(
        m.DataTransferRequest,
        lambda conn, request: b.data_transfer_response("2.0.1", conn.identity),
    )

    async def scenario():
        config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
        async with await ocpp_asyncio.serve(config, router=csms_router) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            conn = await ocpp_asyncio.connect(
                StationConfig(url=url, identity="CP1"), station_router, auto_heartbeat=False
            )
            return await conn.call(b.boot_request("2.0.1"), timeout=5)

    assert asyncio.run(scenario()) == b.boot_response("2.0.1")


def test_shutdown_does_not_wait_for_unfinished_handshakes(caplog):
    """Server close with one client that sent nothing and one whose on_connect is still
    running: both are dropped at once, not after open_timeout."""
    deciding = []

    async def on_connect(conn):
        deciding.append(conn.request.identity)
        await asyncio.sleep(60)
        return ocpp_asyncio.Accept()

    async def scenario():
        config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",), open_timeout=60)
        server = await ocpp_asyncio.serve(config, on_connect=on_connect)
        silent_reader, silent_writer = await asyncio.open_connection("127.0.0.1", server.port)
        url = f"ws://127.0.0.1:{server.port}/ocpp"
        station = asyncio.ensure_future(
            ocpp_asyncio.connect(StationConfig(url=url, identity="CP1"))
        )
        while not deciding:
            await asyncio.sleep(0.01)
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(server.close(), 5)
        elapsed = asyncio.get_running_loop().time() - started
        with pytest.raises(ocpp_asyncio.HandshakeError) as caught:
            await asyncio.wait_for(station, 5)
        silent_eof = await asyncio.wait_for(silent_reader.read(), 5)
        silent_writer.close()
        return elapsed, caught.value.event.kind, silent_eof

    elapsed, kind, silent_eof = asyncio.run(scenario())
    assert elapsed < 1.0
    assert kind == "eof" and silent_eof == b""


def test_on_connected_failure_is_logged_and_the_station_stays(caplog):
    def on_connected(conn):
        raise RuntimeError("backend hiccup")

    m = b.messages_of("1.6")
    router = ocpp_asyncio.Router()
    router.add(m.HeartbeatRequest, lambda conn, request: b.heartbeat_response("1.6"))

    async def scenario():
        config = CsmsConfig(path_prefix="/ocpp/", versions=("1.6",))
        server = await ocpp_asyncio.CsmsServer(
            config, router=router, on_connected=on_connected
        ).start()
        async with server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            conn = await ocpp_asyncio.connect(
                StationConfig(url=url, identity="CP1", versions=("1.6",))
            )
            return await conn.call(m.HeartbeatRequest())

    with caplog.at_level(logging.ERROR, logger="ocpp_asyncio"):
        assert asyncio.run(scenario()) == b.heartbeat_response("1.6")
    assert any("on_connected failed" in r.getMessage() for r in caplog.records)


def test_wait_for_station_times_out_and_forgets_the_waiter():
    async def scenario():
        async with await ocpp_asyncio.serve(CsmsConfig(path_prefix="/ocpp/")) as server:
            with pytest.raises(asyncio.TimeoutError):
                await server.wait_for_station("NOBODY", 0.05)
            waiter = asyncio.ensure_future(server.wait_for_station("CP1", 5))
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            conn = await ocpp_asyncio.connect(StationConfig(url=url, identity="CP1"))
            arrived = await waiter
            leftover = dict(server._arrivals)
            await conn.close()
            return arrived.identity, leftover

    assert asyncio.run(scenario()) == ("CP1", {})
