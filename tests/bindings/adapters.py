"""The small adapter the shared binding suite is written against.

A binding's adapter exposes blocking operations (the tests are plain functions), so
asyncio, trio, threads and later bindings run the same tests. The asyncio adapter runs
its event loop in a background thread and submits coroutines to it.

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
  sleep for asyncio) - to prove a slow handler blocks nobody else.
- Handlers and on_connect are plain functions (connection, request) / (connection);
  the connection has `.identity`, `.version`, `.request` (CSMS: ConnectionRequested).
"""

import asyncio
import threading
from typing import Any

import ocpp_asyncio

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
