"""The small adapter the shared binding suite is written against.

A binding's adapter exposes blocking operations (the tests are plain functions), so
asyncio, trio, threads and later bindings run the same tests. The asyncio adapter runs
its event loop in a background thread and submits coroutines to it; the trio adapter
runs `trio.run` in a background thread, enters the binding's async context managers in
tasks of its nursery and calls in through `trio.from_thread`; the threads adapter calls
the blocking binding directly.

Contract (every adapter):
- `serve(config, router, on_connect=None, ssl=None)` -> CsmsHandle
  (`port`, `url(prefix)`, `connection(identity, timeout)` -> ConnHandle,
  `identities()`, `close()`).
- `connect(config, router=None, ssl=None)` -> ConnHandle; a refused handshake raises
  `adapter.HandshakeError` (with `.status_code`), TCP / TLS failures raise OSError.
- `station(config, router=None, backoff=None, on_connected=None)` -> StationHandle
  (reconnecting): `wait_connected(timeout)` -> ConnHandle, `connects`, `delays`,
  `close()`.
- ConnHandle: `call(request, timeout=None)` (typed response or the shared exceptions of
  ocpp_core.handlers), `send(message)` (2.1 SEND), `close(code, reason)` ->
  ConnectionClosed, `wait_closed(timeout)`, `version`, `identity`, `native`.
- Every blocking method may be called from several test threads at once.
- `slow(seconds, handler)`: the handler, made slow the binding's native way (an async
  sleep for asyncio and trio, time.sleep for threads) - to prove a slow handler blocks
  nobody else.
- Handlers and on_connect are plain functions (connection, request) / (connection);
  the connection has `.identity`, `.version`, `.request` (CSMS: ConnectionRequested).
"""

import asyncio
import threading
import time
from typing import Any

import ocpp_asyncio
import ocpp_threads
import ocpp_trio
import trio

STEP_TIMEOUT = 15.0  # bound on every blocking step; pytest-timeout is the last resort


class AsyncioAdapter:
    name = "asyncio"
    HandshakeError = ocpp_asyncio.HandshakeError

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._closers: list[Any] = []

    def run(self, coroutine: Any, timeout: float = STEP_TIMEOUT) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def shutdown(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    # -- handlers --------------------------------------------------------------------------
    def slow(self, seconds: float, handler: Any) -> Any:
        async def slow_handler(conn: Any, request: Any) -> Any:
            await asyncio.sleep(seconds)
            return handler(conn, request)

        return slow_handler

    # -- endpoints -------------------------------------------------------------------------
    def serve(self, config: Any, router: Any, on_connect: Any = None, ssl: Any = None) -> Any:
        async def start() -> Any:
            return await ocpp_asyncio.serve(config, router=router, on_connect=on_connect, ssl=ssl)

        server = self.run(start())
        handle = CsmsHandle(self, server)
        self._closers.append(handle.close)
        return handle

    def connect(self, config: Any, router: Any = None, ssl: Any = None) -> Any:
        conn = self.run(ocpp_asyncio.connect(config, router, ssl=ssl))
        handle = ConnHandle(self, conn)
        self._closers.append(handle.close)
        return handle

    def station(
        self, config: Any, router: Any = None, backoff: Any = None, on_connected: Any = None
    ) -> Any:
        async def start() -> Any:
            station = ocpp_asyncio.Station(config, router, on_connected, backoff)
            return await station.start()

        handle = StationHandle(self, self.run(start()))
        self._closers.append(handle.close)
        return handle


class CsmsHandle:
    def __init__(self, adapter: AsyncioAdapter, server: Any) -> None:
        self.adapter = adapter
        self.native = server
        self.port = server.port

    def url(self, prefix: str = "/ocpp", scheme: str = "ws") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{prefix}"

    def connection(self, identity: str, timeout: float = 5.0) -> "ConnHandle":
        conn = self.adapter.run(self.native.wait_for_station(identity, timeout))
        return ConnHandle(self.adapter, conn)

    def identities(self) -> "list[str]":
        return sorted(self.native.connections)

    def close(self) -> None:
        self.adapter.run(self.native.close())


class ConnHandle:
    def __init__(self, adapter: AsyncioAdapter, conn: Any) -> None:
        self.adapter = adapter
        self.native = conn

    @property
    def version(self) -> Any:
        return self.native.version

    @property
    def identity(self) -> Any:
        return self.native.identity

    def call(self, request: Any, timeout: Any = None) -> Any:
        return self.adapter.run(self.native.call(request, timeout))

    def send(self, message: Any) -> None:
        self.adapter.run(self.native.send(message))

    def close(self, code: int = 1000, reason: str = "") -> Any:
        return self.adapter.run(self.native.close(code, reason))

    def wait_closed(self, timeout: float = 5.0) -> Any:
        return self.adapter.run(self.native.wait_closed(), timeout)


class StationHandle:
    def __init__(self, adapter: AsyncioAdapter, station: Any) -> None:
        self.adapter = adapter
        self.native = station

    @property
    def connects(self) -> int:
        return int(self.native.connects)

    @property
    def delays(self) -> "list[float]":
        return list(self.native.delays)

    def wait_connected(self, timeout: float = 5.0) -> ConnHandle:
        return ConnHandle(self.adapter, self.adapter.run(self.native.wait_connected(timeout)))

    def close(self) -> None:
        self.adapter.run(self.native.close())


ADAPTERS = {"asyncio": AsyncioAdapter}


# -- ocpp_threads: blocking already; the handles are the native objects' thin wrappers ------


class ThreadsAdapter:
    name = "threads"
    HandshakeError = ocpp_threads.HandshakeError

    def __init__(self) -> None:
        self._closers: list[Any] = []

    def run(self, function: Any, *args: Any) -> Any:
        return function(*args)

    def shutdown(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:
                pass

    def slow(self, seconds: float, handler: Any) -> Any:
        def slow_handler(conn: Any, request: Any) -> Any:
            time.sleep(seconds)
            return handler(conn, request)

        return slow_handler

    def serve(self, config: Any, router: Any, on_connect: Any = None, ssl: Any = None) -> Any:
        server = ocpp_threads.serve(config, router=router, on_connect=on_connect, ssl=ssl)
        handle = ThreadsCsmsHandle(self, server)
        self._closers.append(handle.close)
        return handle

    def connect(self, config: Any, router: Any = None, ssl: Any = None) -> Any:
        handle = ThreadsConnHandle(self, ocpp_threads.connect(config, router, ssl=ssl))
        self._closers.append(handle.close)
        return handle

    def station(
        self, config: Any, router: Any = None, backoff: Any = None, on_connected: Any = None
    ) -> Any:
        station = ocpp_threads.Station(config, router, on_connected, backoff).start()
        handle = ThreadsStationHandle(self, station)
        self._closers.append(handle.close)
        return handle


class ThreadsCsmsHandle(CsmsHandle):
    def connection(self, identity: str, timeout: float = 5.0) -> "ConnHandle":
        return ThreadsConnHandle(self.adapter, self.native.wait_for_station(identity, timeout))

    def close(self) -> None:
        self.native.close(timeout=STEP_TIMEOUT)


class ThreadsConnHandle(ConnHandle):
    def call(self, request: Any, timeout: Any = None) -> Any:
        return self.native.call(request, timeout)

    def send(self, message: Any) -> None:
        self.native.send(message)

    def close(self, code: int = 1000, reason: str = "") -> Any:
        return self.native.close(code, reason, STEP_TIMEOUT)

    def wait_closed(self, timeout: float = 5.0) -> Any:
        return self.native.wait_closed(timeout)


class ThreadsStationHandle(StationHandle):
    def wait_connected(self, timeout: float = 5.0) -> ConnHandle:
        return ThreadsConnHandle(self.adapter, self.native.wait_connected(timeout))

    def close(self) -> None:
        self.native.close(timeout=STEP_TIMEOUT)


ADAPTERS["threads"] = ThreadsAdapter


# -- ocpp_trio: trio.run in a background thread; what lives in an async context manager
# (a connection, a server, a station) is held open by a task of the adapter's nursery.


class TrioAdapter:
    name = "trio"
    HandshakeError = ocpp_trio.HandshakeError

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._closers: list[Any] = []
        self._thread = threading.Thread(target=trio.run, args=(self._main,), daemon=True)
        self._thread.start()
        assert self._ready.wait(5)

    async def _main(self) -> None:
        self.token = trio.lowlevel.current_trio_token()
        self._stop = trio.Event()
        async with trio.open_nursery() as nursery:
            self.nursery = nursery
            self._ready.set()
            await self._stop.wait()
            nursery.cancel_scope.cancel()

    def run(self, function: Any, *args: Any, timeout: float = STEP_TIMEOUT) -> Any:
        async def bounded() -> Any:
            with trio.fail_after(timeout):
                return await function(*args)

        return trio.from_thread.run(bounded, trio_token=self.token)

    async def _hold(self, manager: Any, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        release, released = trio.Event(), trio.Event()
        started = False
        try:
            async with manager as value:
                task_status.started((value, release, released))
                started = True
                await release.wait()
        except Exception:
            if not started:
                raise
        finally:
            released.set()

    def hold(self, manager: Any) -> Any:
        """Enter `manager` in a task of its own; returns (value, release function)."""
        value, release, released = self.run(self.nursery.start, self._hold, manager)

        async def leave() -> None:
            release.set()
            await released.wait()

        return value, lambda: self.run(leave)

    def shutdown(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:
                pass
        trio.from_thread.run_sync(self._stop.set, trio_token=self.token)
        self._thread.join(5)

    def slow(self, seconds: float, handler: Any) -> Any:
        async def slow_handler(conn: Any, request: Any) -> Any:
            await trio.sleep(seconds)
            return handler(conn, request)

        return slow_handler

    def serve(self, config: Any, router: Any, on_connect: Any = None, ssl: Any = None) -> Any:
        manager = ocpp_trio.serve(config, router=router, on_connect=on_connect, ssl=ssl)
        server, release = self.hold(manager)
        handle = TrioCsmsHandle(self, server, release)
        self._closers.append(handle.close)
        return handle

    def connect(self, config: Any, router: Any = None, ssl: Any = None) -> Any:
        conn, release = self.hold(ocpp_trio.connect(config, router, ssl=ssl))
        self._closers.append(release)
        return TrioConnHandle(self, conn)

    def station(
        self, config: Any, router: Any = None, backoff: Any = None, on_connected: Any = None
    ) -> Any:
        station, release = self.hold(ocpp_trio.Station(config, router, on_connected, backoff))
        handle = TrioStationHandle(self, station, release)
        self._closers.append(handle.close)
        return handle


class TrioCsmsHandle(CsmsHandle):
    def __init__(self, adapter: Any, server: Any, release: Any) -> None:
        CsmsHandle.__init__(self, adapter, server)
        self._release = release

    def connection(self, identity: str, timeout: float = 5.0) -> "ConnHandle":
        conn = self.adapter.run(self.native.wait_for_station, identity, timeout)
        return TrioConnHandle(self.adapter, conn)

    def close(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release()


class TrioConnHandle(ConnHandle):
    def call(self, request: Any, timeout: Any = None) -> Any:
        return self.adapter.run(self.native.call, request, timeout)

    def send(self, message: Any) -> None:
        self.adapter.run(self.native.send, message)

    def close(self, code: int = 1000, reason: str = "") -> Any:
        return self.adapter.run(self.native.close, code, reason)

    def wait_closed(self, timeout: float = 5.0) -> Any:
        return self.adapter.run(self.native.wait_closed, timeout=timeout)


class TrioStationHandle(StationHandle):
    def __init__(self, adapter: Any, station: Any, release: Any) -> None:
        StationHandle.__init__(self, adapter, station)
        self._release = release

    def wait_connected(self, timeout: float = 5.0) -> ConnHandle:
        return TrioConnHandle(self.adapter, self.adapter.run(self.native.wait_connected, timeout))

    def close(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release()


ADAPTERS["trio"] = TrioAdapter
