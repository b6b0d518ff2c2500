"""What only the threads binding has: every thread it starts ends on close; call()
from many threads at once; a handler (on its worker thread) may call the peer before it
answers; structured frame logs; back-pressure (shared with trio in
test_binding_backpressure.py)."""

import logging
import threading
import time

import ocpp_threads
import pytest

from ocpp_core.handlers import Backoff
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings import builders as b
from tests.bindings.test_binding_suite import csms_router

pytestmark = pytest.mark.timeout(30)


def test_no_thread_outlives_close():
    before = set(threading.enumerate())
    station_router = ocpp_threads.Router()
    m = b.messages_of("2.0.1")
    station_router.add(type(b.remote_start("2.0.1")), lambda c, r: b.remote_start_response("2.0.1"))
    boots = []
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
    router = csms_router("2.0.1", interval=1)
    with ocpp_threads.serve(
        config, router=router, on_connect=lambda conn: ocpp_threads.Accept()
    ) as server:
        url = f"ws://127.0.0.1:{server.port}/ocpp"
        conn = ocpp_threads.connect(StationConfig(url=url, identity="CP1"), station_router)
        assert conn.call(b.boot_request("2.0.1"), timeout=5).interval == 1  # heartbeats on
        backoff = Backoff(initial=0.05, maximum=0.1)
        station = ocpp_threads.Station(
            StationConfig(url=url, identity="CP2"),
            on_connected=lambda c: boots.append(c.call(m.HeartbeatRequest(), timeout=5)),
            backoff=backoff,
        ).start()
        station.wait_connected(5)
        for count in (1, 2):
            deadline = time.monotonic() + 5
            while len(boots) < count and time.monotonic() < deadline:
                time.sleep(0.01)
            if count == 1:
                server.wait_for_station("CP2", 5).close(1012, "restart")  # it reconnects
        assert server.wait_for_station("CP1", 5).call(b.remote_start("2.0.1"), timeout=5)
        assert len(threading.enumerate()) > len(before)
        station.close()
        assert conn.close().code == 1000
    assert len(boots) == 2
    assert set(threading.enumerate()) - before == set()  # (threads of earlier tests may end)


def test_calls_from_many_threads_are_all_answered():
    seen = []

    def data_transfer(conn, request):
        seen.append(request.data)
        return b.data_transfer_response("2.0.1", request.data.upper())

    router = csms_router("2.0.1", DataTransferRequest=data_transfer)
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
    with ocpp_threads.serve(config, router=router) as server:
        url = f"ws://127.0.0.1:{server.port}/ocpp"
        conn = ocpp_threads.connect(StationConfig(url=url, identity="CP1"))
        results = {}

        def worker(name):
            results[name] = conn.call(b.data_transfer("2.0.1", name), timeout=5).data

        workers = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(12)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(10)
        conn.close()
    assert results == {f"w{i}": f"W{i}" for i in range(12)}
    assert sorted(seen) == sorted(results)


def test_a_handler_may_call_the_peer_before_it_answers():
    m = b.messages_of("2.0.1")
    csms = ocpp_threads.Router()

    def boot(conn, request):
        answer = conn.call(b.data_transfer("2.0.1", "who are you?"), timeout=5)
        assert answer.data == "CP1"
        return b.boot_response("2.0.1")

    csms.add(m.BootNotificationRequest, boot)
    station_router = ocpp_threads.Router()
    station_router.add(
        m.DataTransferRequest, lambda conn, r: b.data_transfer_response("2.0.1", conn.identity)
    )
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
    with ocpp_threads.serve(config, router=csms) as server:
        url = f"ws://127.0.0.1:{server.port}/ocpp"
        conn = ocpp_threads.connect(
            StationConfig(url=url, identity="CP1"), station_router, auto_heartbeat=False
        )
        assert conn.call(b.boot_request("2.0.1"), timeout=5) == b.boot_response("2.0.1")
        conn.close()


def test_frame_logging_is_opt_in_and_structured(caplog):
    router = csms_router("2.0.1")
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
    with caplog.at_level(logging.INFO, logger="ocpp_threads.frames"):
        with ocpp_threads.serve(config, router=router, log_frames=True) as server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            conn = ocpp_threads.connect(StationConfig(url=url, identity="CP1"))
            conn.call(b.heartbeat_request("2.0.1"), timeout=5)
            conn.close()
    records = [r for r in caplog.records if r.name == "ocpp_threads.frames"]
    assert [(r.ocpp_identity, r.ocpp_direction) for r in records] == [("CP1", "in"), ("CP1", "out")]
    assert '"Heartbeat"' in records[0].ocpp_frame


def test_a_silent_server_fails_the_connect_within_open_timeout():
    import socket

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        config = StationConfig(url=f"ws://127.0.0.1:{port}/ocpp", identity="CP1", open_timeout=0.3)
        before = set(threading.enumerate())
        started = time.monotonic()
        with pytest.raises((TimeoutError, ocpp_threads.HandshakeError)):
            ocpp_threads.connect(config)
        assert time.monotonic() - started < 3.0
        assert set(threading.enumerate()) - before == set()
