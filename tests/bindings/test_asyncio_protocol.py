"""The asyncio binding on `asyncio.Protocol`: plain handlers answer inline (no task),
awaitables of any kind are awaited in a task, reading pauses while the peer does not
take our answers, one timer follows the core's deadlines, a lost transport ends every
CALL. Real loopback sockets throughout."""

import asyncio
import base64
import hashlib

import ocpp_asyncio
import pytest
from ocpp_asyncio.connection import Connection
from websockets.asyncio.client import connect as ws_connect

from ocpp_core.config import RpcConfig
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings import builders as b

pytestmark = pytest.mark.timeout(30)

V = "2.0.1"
M = b.messages_of(V)


def count_tasks(loop):
    """Count every task the loop creates from now on (a task factory)."""
    created = []

    def factory(loop, coro, **options):
        created.append(getattr(coro, "__qualname__", repr(coro)))
        return asyncio.Task(coro, loop=loop, **options)

    loop.set_task_factory(factory)
    return created


async def open_pair(router, station_router=None, **csms_options):
    config = CsmsConfig(path_prefix="/ocpp/", versions=(V,), **csms_options)
    server = await ocpp_asyncio.serve(config, router=router)
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    station = await ocpp_asyncio.connect(
        StationConfig(url=url, identity="CP1", versions=(V,)), station_router, auto_heartbeat=False
    )
    return server, station, await server.wait_for_station("CP1", 5)


def test_a_plain_handler_answers_inside_data_received_without_a_task():
    seen_tasks = []

    def heartbeat(conn, request):
        seen_tasks.append(asyncio.current_task())
        return b.heartbeat_response(V)

    router = ocpp_asyncio.Router()
    router.add(M.HeartbeatRequest, heartbeat)

    async def scenario():
        server, station, csms_conn = await open_pair(router)
        frames = []
        csms_conn.core.on_frame = lambda direction, text: frames.append((direction, text))
        answered_within = []
        original = csms_conn.data_received

        def data_received(data):
            before = len(frames)
            original(data)
            answered_within.append([d for d, _ in frames[before:]])

        csms_conn.data_received = data_received
        created = count_tasks(asyncio.get_running_loop())
        for _ in range(5):
            assert await station.call(M.HeartbeatRequest()) == b.heartbeat_response(V)
        result = list(answered_within), list(created)
        await station.close()
        await server.close()
        return result

    answered_within, tasks_for_calls = asyncio.run(scenario())
    # Run in the transport's callback (no task), the CALL in and its answer out in the
    # same data_received; and neither side made a task for any of the five calls.
    assert seen_tasks == [None] * 5
    assert answered_within == [["in", "out"]] * 5
    assert tasks_for_calls == []


def test_awaitables_of_every_kind_are_awaited_in_a_task_of_their_own():
    class AsyncCallable:  # not a coroutine function: its __call__ is
        async def __call__(self, conn, request):
            await asyncio.sleep(0)
            return b.data_transfer_response(V, "object:" + request.data)

    class FutureReturning:  # a plain __call__ that returns a Future
        def __call__(self, conn, request):
            future = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_later(
                0.01, future.set_result, b.data_transfer_response(V, "future:" + request.data)
            )
            return future

    async def failing(conn, request):
        await asyncio.sleep(0)
        raise RuntimeError("boom")

    station_router = ocpp_asyncio.Router()
    station_router.add(M.DataTransferRequest, AsyncCallable())
    router = ocpp_asyncio.Router()
    router.add(M.DataTransferRequest, FutureReturning())
    router.add(M.HeartbeatRequest, failing)

    async def scenario():
        server, station, csms_conn = await open_pair(router, station_router)
        created = count_tasks(asyncio.get_running_loop())
        to_csms = await station.call(b.data_transfer(V, "a"))
        to_station = await csms_conn.call(b.data_transfer(V, "b"))
        with pytest.raises(ocpp_asyncio.CallError) as failed:
            await station.call(M.HeartbeatRequest())
        result = to_csms.data, to_station.data, failed.value.code, list(created)
        await station.close()
        await server.close()
        return result

    to_csms, to_station, code, created = asyncio.run(scenario())
    assert (to_csms, to_station, code) == ("future:a", "object:b", "InternalError")
    # One task per awaitable answer, nothing else per call.
    assert created == ["Connection._await_handler"] * 3


def test_reading_pauses_while_the_peer_does_not_take_our_answers():
    size = 64 * 1024
    router = ocpp_asyncio.Router()
    router.add(
        M.DataTransferRequest, lambda conn, request: b.data_transfer_response(V, request.data)
    )
    frame = '[2,"{}","DataTransfer",{{"vendorId":"v","data":"' + "x" * size + '"}}]'

    async def scenario():
        config = CsmsConfig(
            path_prefix="/ocpp/",
            versions=(V,),
            rpc_config=RpcConfig(max_incoming_calls=10_000),
            max_message_size=4 * size,
        )
        async with await ocpp_asyncio.serve(config, router=router) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp/FLOOD"
            async with ws_connect(
                url, subprotocols=["ocpp2.0.1"], compression=None, max_size=None, max_queue=4
            ) as ws:
                conn = await server.wait_for_station("FLOOD", 5)
                transport = conn.transport
                sent = 0
                # Flood until the CSMS stops reading (its write buffer is over the mark).
                while transport.is_reading() and sent < 400:
                    await ws.send(frame.format(sent))
                    sent += 1
                    await asyncio.sleep(0)
                paused_at = sent
                answers = []
                while len(answers) < sent:
                    answers.append(await asyncio.wait_for(ws.recv(), 5))
                resumed = transport.is_reading()
                await ws.send(frame.format(sent))
                last = await asyncio.wait_for(ws.recv(), 5)
        return paused_at, len(answers), resumed, last

    paused_at, answered, resumed, last = asyncio.run(scenario())
    assert paused_at < 400 and answered == paused_at
    assert resumed and last.startswith(f'[3,"{paused_at}",')


def test_one_timer_follows_the_deadlines_and_still_times_out():
    async def silent(conn, request):
        await asyncio.sleep(10)  # longer than the station waits
        return b.data_transfer_response(V)

    router = ocpp_asyncio.Router()
    router.add(M.HeartbeatRequest, lambda conn, request: b.heartbeat_response(V))
    router.add(M.DataTransferRequest, silent)

    async def scenario():
        loop = asyncio.get_running_loop()
        armed = []
        call_at = loop.call_at

        def counting_call_at(when, callback, *args, **options):
            if getattr(callback, "__func__", None) is Connection._on_timer:
                armed.append(callback.__self__)
            return call_at(when, callback, *args, **options)

        loop.call_at = counting_call_at
        server, station, _ = await open_pair(router, ping_interval=30)
        armed.clear()
        # The station's first CALL arms its timer (it had no deadline). Each further
        # CALL moves its deadline (the timeout) later, each frame the CSMS's next
        # ping: the armed timers come first, so none is re-armed.
        for _ in range(20):
            await station.call(M.HeartbeatRequest(), timeout=20)
        steady = list(armed)
        # A deadline earlier than the armed one re-arms the station's timer, which fires.
        started = loop.time()
        with pytest.raises(ocpp_asyncio.CallTimeout):
            await station.call(b.data_transfer(V), timeout=0.2)
        waited = loop.time() - started
        for_timeout = armed[len(steady) :]
        await station.close()
        await server.close()
        return steady, waited, for_timeout, station

    steady, waited, for_timeout, station = asyncio.run(scenario())
    assert steady == [station]
    assert 0.15 < waited < 2.0
    assert 1 <= len(for_timeout) <= 3 and set(for_timeout) == {station}


async def silent_websocket_server(received):
    """A WebSocket server that completes the handshake, then reads and never answers
    (not even a ping)."""

    async def serve(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(
            hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
        )
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        while True:
            data = await reader.read(65536)
            if not data:
                break
            received.append(data)
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


def test_keepalive_ping_unanswered_closes_the_connection():
    async def scenario():
        received = []
        server = await silent_websocket_server(received)
        port = server.sockets[0].getsockname()[1]
        config = StationConfig(
            url=f"ws://127.0.0.1:{port}/ocpp",
            identity="CP1",
            versions=(V,),
            ping_interval=0.05,
            pong_timeout=0.1,
            close_timeout=0.1,
        )
        conn = await ocpp_asyncio.connect(config, auto_heartbeat=False)
        started = asyncio.get_running_loop().time()
        closed = await asyncio.wait_for(conn.wait_closed(), 5)
        elapsed = asyncio.get_running_loop().time() - started
        server.close()
        return closed, elapsed, b"".join(received)

    closed, elapsed, received = asyncio.run(scenario())
    assert closed.code == 1011 and "keepalive" in closed.reason
    assert 0.1 < elapsed < 2.0
    # Client frames are masked: a ping is 0x89, the close that followed 0x88.
    assert received[0] == 0x89 and b"\x88" in received


def test_a_transport_lost_mid_call_fails_the_call_and_cancels_the_handler():
    handler_ended = []

    async def slow(conn, request):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            handler_ended.append("cancelled")
            raise
        return b.data_transfer_response(V)

    station_router = ocpp_asyncio.Router()
    station_router.add(M.DataTransferRequest, slow)

    async def scenario():
        server, station, csms_conn = await open_pair(ocpp_asyncio.Router(), station_router)
        call = asyncio.ensure_future(csms_conn.call(b.data_transfer(V), timeout=10))
        while not station._tasks:
            await asyncio.sleep(0.01)
        station.transport.abort()  # no close handshake: the TCP connection just ends
        with pytest.raises(ocpp_asyncio.ConnectionClosedError):
            await asyncio.wait_for(call, 5)
        csms_closed = await asyncio.wait_for(csms_conn.wait_closed(), 5)
        station_closed = await asyncio.wait_for(station.wait_closed(), 5)
        await asyncio.sleep(0)
        with pytest.raises(ocpp_asyncio.ConnectionClosedError):
            await station.call(M.HeartbeatRequest())
        await server.close()
        return csms_closed.code, station_closed.code, station._tasks, server.connections

    csms_code, station_code, tasks_left, connections = asyncio.run(scenario())
    assert csms_code == station_code == 1006
    assert handler_ended == ["cancelled"] and not tasks_left and connections == {}
