"""The CSMS simulator: accepts stations of every enabled version on one port and
answers every station-initiated action with a valid, accepting response.

The core of a charging session (boot, heartbeat, status, authorize, transactions,
meter values) is answered once, in the generic model (`CsmsSimulator.handle`), for every
version; 1.6 transaction ids come from one counter, so they increase across stations.
Every other station-initiated action gets the smallest accepting response its schema
allows (`ocpp_cli.accepting`). With `remote_start_after`, the simulator sends a remote
start (1.6 RemoteStartTransaction, 2.x RequestStartTransaction) that many seconds after
each accepted BootNotification.
"""

import asyncio
import importlib
import itertools
import logging
import weakref
from collections.abc import Callable
from typing import Any, Optional

import ocpp_asyncio

import ocpp_core.generic as G
from ocpp_cli.accepting import accepting_response
from ocpp_cli.sim import CheckFailed, FrameLog, Peer, Stats, utcnow, watch_frames

log = logging.getLogger("ocpp_cli.csms")

HEARTBEAT_INTERVAL = 300
PACKAGES = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}


class CsmsSimulator:
    def __init__(
        self,
        versions: "tuple[str, ...]",
        remote_start_after: Optional[float] = None,
        id_tag: str = "REMOTE01",
        remote_start_for: "Optional[Callable[[str], bool]]" = None,
        frame_log: Optional[FrameLog] = None,
        report: "Optional[Callable[[str], None]]" = None,
        call_timeout: float = 30.0,
    ) -> None:
        self.versions = versions
        self.remote_start_after = remote_start_after
        self.id_tag = id_tag
        self.remote_start_for = remote_start_for
        self.frame_log = frame_log
        self.report = report if report is not None else (lambda line: None)
        self.call_timeout = call_timeout
        self.stats = Stats()
        self.remote_starts: dict[str, str] = {}  # identity -> the station's answer
        self._transaction_ids = itertools.count(1)  # 1.6: unique across stations
        self._remote_start_ids = itertools.count(1)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.router = self._build_router()
        # Connections whose frames are counted / logged (on_connect or on_connected).
        self._watched: weakref.WeakSet[ocpp_asyncio.Connection] = weakref.WeakSet()

    # -- wiring ----------------------------------------------------------------------
    def _build_router(self) -> "ocpp_asyncio.Router":
        router = ocpp_asyncio.Router()
        for version in self.versions:
            package = PACKAGES[version]
            schema = importlib.import_module(f"ocpp_core.{package}.schema")
            messages = importlib.import_module(f"ocpp_core.{package}.messages")
            for action, (sender, _request, response) in schema.ACTIONS.items():
                if sender == "csms" or response is None:  # CSMS-only, or a 2.1 SEND
                    continue
                router.add(messages.REQUESTS[action], self._answer)
        return router

    def on_connect(self, conn: "ocpp_asyncio.Connection") -> "ocpp_asyncio.Accept":
        # Frames are counted and logged from here, before the accept: a CALL sent in
        # the same TCP write as the upgrade request is handled before on_connected.
        self._watch(conn)
        return ocpp_asyncio.Accept()

    def _watch(self, conn: "ocpp_asyncio.Connection") -> None:
        if conn not in self._watched:
            self._watched.add(conn)
            watch_frames(conn, conn.identity or "?", "csms", self.stats, self.frame_log)

    def on_connected(self, conn: "ocpp_asyncio.Connection") -> None:
        identity = conn.identity or "?"
        self._watch(conn)  # a server given on_connected alone logs from here on
        self.report(f"{identity}: connected (OCPP {conn.version})")
        self._spawn(self._goodbye(conn))

    async def _goodbye(self, conn: "ocpp_asyncio.Connection") -> None:
        event = await conn.wait_closed()
        self.report(f"{conn.identity}: disconnected ({event.code})")

    def _mapper(self, conn: "ocpp_asyncio.Connection") -> Any:
        mapper = getattr(conn, "_generic_mapper", None)
        if mapper is None:
            version = conn.version or ""
            options: dict[str, Any] = {}
            if version == "1.6":
                options["transaction_id_factory"] = lambda: next(self._transaction_ids)
            mapper = G.mapper_for(version, **options)
            conn._generic_mapper = mapper  # type: ignore[attr-defined]
        return mapper

    # -- answering -----------------------------------------------------------------------
    def _answer(self, conn: "ocpp_asyncio.Connection", native: Any) -> Any:
        mapper = self._mapper(conn)
        try:
            request = mapper.request_from_native(native)
        except G.NoGenericMapping:
            request = None
        response = None if request is None else self.handle(conn, request)
        if response is None:
            version = conn.version or ""
            return accepting_response(version, _action_of(version, native), utcnow())
        return mapper.response_to_native(request, response)

    def handle(self, conn: "ocpp_asyncio.Connection", request: Any) -> Any:
        """The generic answer to the session's core operations (None: not one of them)."""
        identity = conn.identity or "?"
        if isinstance(request, G.BootNotificationRequest):
            self.report(f"{identity}: BootNotification, accepted")
            if self.remote_start_after is not None and (
                self.remote_start_for is None or self.remote_start_for(identity)
            ):
                self._spawn(self._remote_start_later(conn, self.remote_start_after))
            return G.BootNotificationResponse(
                status="Accepted", current_time=utcnow(), interval=HEARTBEAT_INTERVAL
            )
        if isinstance(request, G.HeartbeatRequest):
            return G.HeartbeatResponse(current_time=utcnow())
        if isinstance(request, G.StatusNotificationRequest):
            return G.StatusNotificationResponse()
        if isinstance(request, G.AuthorizeRequest):
            return G.AuthorizeResponse(id_token_info=G.IdTokenInfo(status="Accepted"))
        if isinstance(request, G.TransactionEventRequest):
            self.report(f"{identity}: transaction {request.transaction_id} {request.event_type}")
            if request.event_type == "Started" or request.id_token is not None:
                return G.TransactionEventResponse(id_token_info=G.IdTokenInfo(status="Accepted"))
            return G.TransactionEventResponse()
        if isinstance(request, G.MeterValuesRequest):
            return G.MeterValuesResponse()
        return None

    # -- remote start --------------------------------------------------------------------
    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("simulator task failed", exc_info=task.exception())

    async def _remote_start_later(self, conn: "ocpp_asyncio.Connection", delay: float) -> None:
        await asyncio.sleep(delay)
        if conn.closed:
            return
        await self.remote_start(conn)

    async def remote_start(self, conn: "ocpp_asyncio.Connection") -> Optional[str]:
        """Ask the station to start a transaction for `id_tag` on EVSE 1; its answer's
        status (or None when it failed), also kept in `remote_starts`."""
        identity = conn.identity or "?"
        peer = Peer(conn, self._mapper(conn), self.stats, self.call_timeout)
        request = G.RequestStartTransactionRequest(
            id_token=G.IdToken(id_token=self.id_tag, type="Central"),
            evse_id=1,
            remote_start_id=next(self._remote_start_ids),
        )
        try:
            answer = await peer.call(request)
        except CheckFailed as exc:
            self.report(f"{identity}: remote start failed: {exc}")
            return None
        self.remote_starts[identity] = answer.status
        self.report(f"{identity}: remote start for {self.id_tag}: {answer.status}")
        return str(answer.status)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()


def _action_of(version: str, native: Any) -> str:
    messages = importlib.import_module(f"ocpp_core.{PACKAGES[version]}.messages")
    action: str = messages.ACTION_OF[type(native)]
    return action
