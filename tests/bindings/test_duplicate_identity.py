"""The shared binding suite, for every adapter: a station identity that connects again
while its first connection is still open (CsmsConfig.duplicate_identity)."""

import inspect
import threading

import pytest

from ocpp_core import events as ev
from ocpp_core.handlers import ConnectionClosedError, Router
from ocpp_core.registry import DUPLICATE_STATUS, REPLACED_CODE, REPLACED_REASON
from ocpp_core.ws import CsmsConfig
from tests.bindings import builders as b
from tests.bindings.test_binding_suite import csms_router, station_config

VERSION = "2.0.1"
M = b.messages_of(VERSION)


def serve(adapter, policy):
    config = CsmsConfig(path_prefix="/ocpp/", versions=(VERSION,), duplicate_identity=policy)
    return adapter.serve(config, csms_router(VERSION))


def station_router(name, log, handler_wrapper=None):
    """A station's router whose DataTransfer handler logs which connection took it."""

    def data_transfer(conn, request):
        log.append((name, request.data))
        return b.data_transfer_response(VERSION, name)

    router = Router()
    handler = data_transfer if handler_wrapper is None else handler_wrapper(data_transfer)
    router.add(M.DataTransferRequest, handler)
    return router


def test_replace_closes_the_old_connection_and_keeps_the_new_one(adapter):
    log = []
    server = serve(adapter, "replace")
    first = adapter.connect(station_config(server), station_router("first", log))
    first_at_csms = server.connection("CP1")
    second = adapter.connect(station_config(server), station_router("second", log))
    replaced = ev.ConnectionClosed(REPLACED_CODE, REPLACED_REASON, ev.REMOTE, True)
    assert first.wait_closed() == replaced
    closed_at_csms = first_at_csms.wait_closed()
    assert closed_at_csms == ev.ConnectionClosed(REPLACED_CODE, REPLACED_REASON, ev.LOCAL, True)
    # The old connection's close is complete: the registry still holds the new one.
    assert server.identities() == ["CP1"]
    at_csms = server.connection("CP1")
    assert at_csms.native is not first_at_csms.native
    assert server.native.connections["CP1"] is at_csms.native
    # The backend's CALL reaches the new connection; the station's own traffic works.
    assert at_csms.call(b.data_transfer(VERSION, "hello")).data == "second"
    assert log == [("second", "hello")]
    assert second.call(b.boot_request(VERSION)) == b.boot_response(VERSION)


def test_replace_ends_the_open_calls_of_the_old_connection(adapter):
    log = []
    arrived = threading.Event()

    def signalling(handler):
        slow = adapter.slow(1.0, handler)
        if inspect.iscoroutinefunction(slow):

            async def async_handler(conn, request):
                arrived.set()
                return await slow(conn, request)

            return async_handler

        def sync_handler(conn, request):
            arrived.set()
            return slow(conn, request)

        return sync_handler

    server = serve(adapter, "replace")
    adapter.connect(station_config(server), station_router("first", log, signalling))
    first_at_csms = server.connection("CP1")
    outcome = []

    def backend_call():
        try:
            outcome.append(first_at_csms.call(b.data_transfer(VERSION, "late"), timeout=10))
        except Exception as exc:
            outcome.append(exc)

    caller = threading.Thread(target=backend_call)
    caller.start()
    assert arrived.wait(5)  # the CALL is open at the old station
    adapter.connect(station_config(server), station_router("second", log))
    caller.join(5)
    assert len(outcome) == 1 and isinstance(outcome[0], ConnectionClosedError)
    assert server.connection("CP1").call(b.data_transfer(VERSION, "next")).data == "second"


def test_reject_refuses_the_second_handshake_and_keeps_the_first(adapter):
    log = []
    server = serve(adapter, "reject")
    first = adapter.connect(station_config(server), station_router("first", log))
    first_at_csms = server.connection("CP1")
    with pytest.raises(adapter.HandshakeError) as caught:
        adapter.connect(station_config(server), station_router("second", log))
    assert caught.value.status_code == DUPLICATE_STATUS == 409
    assert server.native.connections["CP1"] is first_at_csms.native
    assert first.call(b.boot_request(VERSION)) == b.boot_response(VERSION)
    assert first_at_csms.call(b.data_transfer(VERSION, "still")).data == "first"
    assert log == [("first", "still")]
    # Once the first connection is gone, the identity gets in again.
    first.close(1000, "bye")
    first_at_csms.wait_closed()
    adapter.connect(station_config(server), station_router("third", log))
    again = server.connection("CP1")
    assert again.native is not first_at_csms.native
    assert again.call(b.data_transfer(VERSION, "back")).data == "third"
