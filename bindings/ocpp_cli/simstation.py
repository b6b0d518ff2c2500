"""The station simulator: one station running one scenario, written once in the
generic model, so `boot`, `charge` and `remote` are the same code for 1.6, 2.0.1, 2.1.

- boot: BootNotification (must be Accepted), Heartbeat, StatusNotification Available.
- charge: boot, Authorize (Accepted), Occupied, a transaction (Started with the
  Transaction.Begin register reading, Updated with periodic meter values, Ended with
  the Transaction.End reading), Available.
- remote: boot, then wait for the CSMS's remote start (1.6 RemoteStartTransaction,
  2.x RequestStartTransaction), answer Accepted and run the transaction for the id
  token received (2.x: triggerReason RemoteStart with its remoteStartId).

With a state directory the station survives its CSMS going away: the transaction
messages go through the offline queue (`ocpp_core.offline`, kept in SQLite by
`ocpp_cli.offline_store`), the station reconnects with the binding's back-off
(`ocpp_asyncio.Station`) and keeps charging meanwhile, and the scenario passes only
once the queue has drained. A queue left by an earlier run is delivered right after
the BootNotification, before the scenario goes on.
"""

import asyncio
import os
import ssl as ssl_module
import time
import uuid
from typing import Any, Optional

import ocpp_asyncio

import ocpp_core.generic as G
from ocpp_cli.sim import (
    CLOSED,
    CONNECT_FAILED,
    INVALID,
    NOT_ACCEPTED,
    TIMEOUT,
    CheckFailed,
    FrameLog,
    Peer,
    Stats,
    native_actions,
    native_type,
    require,
    utcnow,
    watch_frames,
)
from ocpp_core.errors import LocalProtocolError
from ocpp_core.handlers import Backoff
from ocpp_core.offline import OfflineQueue, RetryPolicy
from ocpp_core.ws import StationConfig

SCENARIOS = ("boot", "charge", "remote")
LOCAL_TAG = "TAG-0001"
REGISTER_START_WH = 1000.0
REGISTER_STEP_WH = 750.0  # per meter value; the Ended reading is one step further


class StationRun:
    """One station, one scenario. `await run()` -> True when every answer accepted;
    `failure` says why not.

    `meter_values` Updated events, `meter_interval` seconds apart, make up the
    transaction. With `state_dir` the run is the offline-safe one (module docstring);
    `policy` is the retry policy of its queue, `max_reconnect_delay` caps the back-off;
    `stores` may hold this station's store, already open (`check_offline_options`).
    """

    def __init__(
        self,
        url: str,
        identity: str,
        version: str,
        scenario: str,
        stats: Optional[Stats] = None,
        password: Optional[str] = None,
        ssl: Optional[ssl_module.SSLContext] = None,
        frame_log: Optional[FrameLog] = None,
        timeout: float = 30.0,
        meter_values: int = 1,
        meter_interval: float = 0.0,
        state_dir: Optional[str] = None,
        policy: Optional[RetryPolicy] = None,
        max_reconnect_delay: float = 60.0,
        stores: "Optional[dict[str, Any]]" = None,
    ) -> None:
        self.config = StationConfig(
            url=url, identity=identity, versions=(version,), password=password
        )
        self.identity = identity
        self.version = version
        self.scenario = scenario
        self.stats = stats if stats is not None else Stats()
        self.ssl = ssl
        self.frame_log = frame_log
        self.timeout = timeout
        self.meter_values = meter_values
        self.meter_interval = meter_interval
        self.state_dir = state_dir
        self.policy = policy
        self.max_reconnect_delay = max_reconnect_delay
        # Stores the command line opened (and locked) before connecting, by identity.
        self.stores = stores if stores is not None else {}
        self.failure: Optional[str] = None
        self.mapper = G.mapper_for(version)
        self.remote: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.router = ocpp_asyncio.Router()
        for action in native_actions(version, "RequestStartTransaction"):
            self.router.add(native_type(version, action), self._on_remote_start)

    # -- what the CSMS asks ------------------------------------------------------------------
    def _on_remote_start(self, conn: "ocpp_asyncio.Connection", native: Any) -> Any:
        request = self.mapper.request_from_native(native)
        accept = self.scenario == "remote" and not self.remote.done()
        if accept:
            # The transaction starts after this answer has gone out (the scenario task
            # runs on the next turn of the loop, after the reply is queued).
            self.remote.set_result(request)
        status = "Accepted" if accept else "Rejected"
        return self.mapper.response_to_native(
            request, G.RequestStartTransactionResponse(status=status)
        )

    # -- the run ------------------------------------------------------------------------------
    async def run(self) -> bool:
        if self.state_dir is not None:
            return await self._run_offline_safe(self.state_dir)
        try:
            conn = await ocpp_asyncio.connect(
                self.config, self.router, ssl=self.ssl, auto_heartbeat=False
            )
        except (OSError, ocpp_asyncio.HandshakeError, asyncio.TimeoutError) as exc:
            self.stats.errors[CONNECT_FAILED] += 1
            self.failure = f"cannot connect to {self.config.url}: {exc}"
            return False
        watch_frames(conn, self.identity, "station", self.stats, self.frame_log)
        link = DirectLink(Peer(conn, self.mapper, self.stats, self.timeout))
        try:
            await self._scenario(link)
        except CheckFailed as exc:
            self.failure = str(exc)
        finally:
            await conn.close()
        return self.failure is None

    async def _run_offline_safe(self, state_dir: str) -> bool:
        from ocpp_cli.offline_store import SqliteStore, StoreError, store_path

        path = store_path(state_dir, self.identity)
        store = self.stores.pop(self.identity, None)
        if store is None:
            try:
                os.makedirs(state_dir, exist_ok=True)
                store = SqliteStore(path, exclusive=True)
            except (OSError, StoreError) as exc:
                self.failure = f"cannot open the offline queue: {exc}"
                return False
        try:
            queue = OfflineQueue(self.version, store, self.policy)
        except LocalProtocolError as exc:
            store.close()
            self.failure = f"{path}: {exc}"
            return False
        self.mapper = queue.mapper  # 1.6: the transaction ids the queue keeps
        initial = min(1.0, self.max_reconnect_delay)
        station = ocpp_asyncio.Station(
            self.config,
            self.router,
            backoff=Backoff(initial=initial, maximum=self.max_reconnect_delay),
            ssl=self.ssl,
            auto_heartbeat=False,
        )
        link = QueuedLink(self, station, queue)
        await station.start()
        try:
            await link.first_connection()
            await self._scenario(link)
            await link.drained()
        except CheckFailed as exc:
            self.failure = str(exc)
        finally:
            await link.stop()
            await station.close()
            store.close()
        return self.failure is None

    async def _scenario(self, link: "Any") -> None:
        await self._boot(link)
        if self.scenario == "charge":
            token = G.IdToken(id_token=LOCAL_TAG, type="ISO14443")
            answer = await link.call(G.AuthorizeRequest(id_token=token))
            status = answer.id_token_info.status
            require(self.stats, status == "Accepted", f"Authorize: {status}")
            await self._transaction(link, token, "Authorized", None)
        elif self.scenario == "remote":
            request = await self._remote_start(link)
            token = request.id_token
            if token.type is None:  # from 1.6: an idTag carries no type
                token = G.IdToken(id_token=token.id_token, type="Central")
            await self._transaction(link, token, "RemoteStart", request.remote_start_id)

    async def _remote_start(self, link: "Any") -> Any:
        """The remote start request, or fail: no remote start within the timeout, or the
        connection closed first (no point waiting the timeout out for it then)."""
        lost = asyncio.ensure_future(link.connection_lost())
        try:
            await asyncio.wait(
                {self.remote, lost}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost.cancel()
        if self.remote.done():
            return self.remote.result()
        if lost.done() and not lost.cancelled():
            self.stats.errors[CLOSED] += 1
            raise CheckFailed("connection closed while waiting for the remote start")
        self.stats.errors[NOT_ACCEPTED] += 1
        raise CheckFailed(f"no remote start within {self.timeout:g} s")

    async def _boot(self, link: "Any") -> None:
        station = G.ChargingStation(vendor_name="ocpp-toolkit", model="Simulator")
        answer = await link.call(
            G.BootNotificationRequest(charging_station=station, reason="PowerUp")
        )
        require(self.stats, answer.status == "Accepted", f"BootNotification: {answer.status}")
        await link.booted()
        await link.call(G.HeartbeatRequest())
        await self._status(link, "Available")

    async def _status(self, link: "Any", status: str, v16_status: Optional[str] = None) -> None:
        await link.notify(
            G.StatusNotificationRequest(
                evse_id=1,
                connector_id=1,
                connector_status=status,
                timestamp=utcnow(),
                v16_status=v16_status,
            )
        )

    async def _transaction(
        self, link: "Any", token: Any, trigger: str, remote_start_id: Optional[int]
    ) -> None:
        transaction_id = "tx-" + uuid.uuid4().hex[:16]
        evse = G.Evse(id=1, connector_id=1)
        await self._status(link, "Occupied", "Charging")

        def event(event_type: str, seq_no: int, reason: str, **fields: Any) -> Any:
            return G.TransactionEventRequest(
                event_type=event_type,
                transaction_id=transaction_id,
                timestamp=utcnow(),
                trigger_reason=reason,
                seq_no=seq_no,
                offline=link.offline_flag(),
                **fields,
            )

        started = event(
            "Started",
            0,
            trigger,
            evse=evse,
            id_token=token,
            remote_start_id=remote_start_id,
            meter_value=[_meter(REGISTER_START_WH, "Transaction.Begin")],
        )
        await link.transaction(started)
        for number in range(1, self.meter_values + 1):
            if self.meter_interval:
                await asyncio.sleep(self.meter_interval)
            wh = REGISTER_START_WH + REGISTER_STEP_WH * number
            await link.transaction(
                event(
                    "Updated",
                    number,
                    "MeterValuePeriodic",
                    evse=evse,
                    meter_value=[_meter(wh, None)],
                )
            )
        if self.meter_interval:
            await asyncio.sleep(self.meter_interval)
        stop_reason = "StopAuthorized" if trigger == "Authorized" else "RemoteStop"
        end_wh = REGISTER_START_WH + REGISTER_STEP_WH * (self.meter_values + 1)
        await link.transaction(
            event(
                "Ended",
                self.meter_values + 1,
                stop_reason,
                id_token=token if trigger == "Authorized" else None,
                stopped_reason="Local" if trigger == "Authorized" else "Remote",
                meter_value=[_meter(end_wh, "Transaction.End")],
            )
        )
        await link.drained()
        await self._status(link, "Available")


def _meter(wh: float, context: Optional[str]) -> Any:
    sample = G.SampledValue(value=wh, context=context, measurand=G.ENERGY_REGISTER, unit="Wh")
    return G.MeterValue(timestamp=utcnow(), sampled_value=[sample])


def check_transaction_answer(stats: Stats, request: Any, response: Any) -> None:
    """A Started event needs an accepting id token answer."""
    if request.event_type != "Started":
        return
    info = response.id_token_info
    require(
        stats,
        info is None or info.status == "Accepted",
        f"TransactionEvent Started: {info and info.status}",
    )


class DirectLink:
    """The scenario's messages straight over one connection: every one must be answered."""

    def __init__(self, peer: Peer) -> None:
        self.peer = peer

    async def call(self, request: Any) -> Any:
        return await self.peer.call(request)

    async def notify(self, request: Any) -> None:
        await self.peer.call(request)

    async def booted(self) -> None:
        pass

    async def connection_lost(self) -> None:
        """Returns when the one connection has closed."""
        await self.peer.conn.wait_closed()

    def offline_flag(self) -> Optional[bool]:
        return None

    async def transaction(self, request: Any) -> None:
        check_transaction_answer(self.peer.stats, request, await self.peer.call(request))

    async def drained(self) -> None:
        pass


class QueuedLink:
    """The scenario's messages over a reconnecting station: transaction messages through
    the offline queue (delivered by `_deliver`, one task), status notifications only when
    connected (a station reports its state again when it is back), the rest must be
    answered on the connection of the moment."""

    def __init__(self, run: StationRun, station: "ocpp_asyncio.Station", queue: OfflineQueue):
        self.run = run
        self.stats = run.stats
        self.station = station
        self.queue = queue
        self._wake = asyncio.Event()  # something was queued
        self._changed = asyncio.Event()  # the queue shrank
        self._watched: Optional[ocpp_asyncio.Connection] = None
        self._task: Optional[asyncio.Task[None]] = None
        self._refusals: list[str] = []  # delivered transaction messages answered refusing

    # -- the connection of the moment ---------------------------------------------------------
    def _connection(self) -> Optional["ocpp_asyncio.Connection"]:
        conn = self.station.connection
        if conn is None or conn.closed:
            return None
        if conn is not self._watched:  # a new connection: count and log its frames too
            self._watched = conn
            watch_frames(conn, self.run.identity, "station", self.stats, self.run.frame_log)
        return conn

    async def first_connection(self) -> None:
        try:
            await self.station.wait_connected(self.run.timeout)
        except asyncio.TimeoutError:
            self.stats.errors[CONNECT_FAILED] += 1
            raise CheckFailed(
                f"cannot connect to {self.run.config.url} within {self.run.timeout:g} s"
            ) from None

    def _peer(self) -> Peer:
        conn = self._connection()
        if conn is None:
            self.stats.errors[CLOSED] += 1
            raise CheckFailed("the CSMS is not connected")
        return Peer(conn, self.queue.mapper, self.stats, self.run.timeout)

    # -- what the scenario does ---------------------------------------------------------------
    async def call(self, request: Any) -> Any:
        return await self._peer().call(request)

    async def notify(self, request: Any) -> None:
        conn = self._connection()
        if conn is None:
            return  # offline: the state is reported again after the reconnect
        try:
            await Peer(conn, self.queue.mapper, self.stats, self.run.timeout).call(request)
        except CheckFailed:
            if not conn.closed:
                raise

    async def booted(self) -> None:
        """After the BootNotification: start delivering; a queue left by an earlier run
        goes before anything else of this one."""
        self._task = asyncio.ensure_future(self._deliver())
        if len(self.queue):
            await self.drained()

    async def connection_lost(self) -> None:
        """Never returns: this station reconnects, and the remote start may come on the
        next connection."""
        await asyncio.Event().wait()

    def offline_flag(self) -> Optional[bool]:
        # 2.x `offline`: the event happened while the station had no connection.
        return True if self._connection() is None else None

    async def transaction(self, request: Any) -> None:
        self.queue.enqueue(request)  # stored when this returns
        self._wake.set()

    async def drained(self) -> None:
        """Wait (at most the run's timeout) until every queued message was answered;
        fail if one was dropped or answered refusing."""
        deadline = time.monotonic() + self.run.timeout
        while len(self.queue):
            if self._task is not None and self._task.done():
                self._task.result()  # a bug in the delivery task: raise it here
            left = deadline - time.monotonic()
            if left <= 0:
                raise CheckFailed(
                    f"{len(self.queue)} transaction messages still queued after "
                    f"{self.run.timeout:g} s (kept for the next run)"
                )
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
            except asyncio.TimeoutError:
                pass
        for dropped in self.queue.dropped:
            self.stats.errors["Dropped"] += 1
            raise CheckFailed(f"a transaction message was dropped: {dropped.reason}")
        if self._refusals:
            raise CheckFailed(self._refusals[0])

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    # -- delivery -------------------------------------------------------------------------------
    async def _deliver(self) -> None:
        queue = self.queue
        online: Optional[ocpp_asyncio.Connection] = None
        while True:
            self._wake.clear()
            conn = self._connection()
            if conn is None:
                if online is not None:
                    queue.connection_lost()
                    online = None
                await self.station.wait_connected()
                continue
            if conn is not online:
                online = conn
                queue.connected()
            delivery = queue.next_delivery(time.monotonic())
            self._changed.set()  # a next_delivery may have dropped something
            if delivery is None:
                await self._idle(conn)
                continue
            await self._send(conn, delivery)
            self._changed.set()

    async def _idle(self, conn: "ocpp_asyncio.Connection") -> None:
        """Until something is queued, the retry time comes, or the connection goes."""
        deadline = self.queue.next_deadline()
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        waits = {
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(conn.wait_closed()),
        }
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _send(self, conn: "ocpp_asyncio.Connection", delivery: Any) -> None:
        queue, stats = self.queue, self.stats
        stats.calls += 1
        started = time.perf_counter()
        try:
            answer = await conn.call(delivery.native, timeout=self.run.timeout)
        except ocpp_asyncio.CallError as exc:
            stats.errors[exc.code] += 1
            queue.failed(delivery.seq, time.monotonic(), f"CALLERROR {exc.code}")
        except ocpp_asyncio.CallTimeout:
            stats.errors[TIMEOUT] += 1
            queue.failed(delivery.seq, time.monotonic(), "no answer in time")
        except ocpp_asyncio.InvalidResponse as exc:
            stats.errors[INVALID] += 1
            queue.failed(delivery.seq, time.monotonic(), str(exc))
        except (ocpp_asyncio.ConnectionClosedError, LocalProtocolError) as exc:
            if isinstance(exc, LocalProtocolError) and exc.violation is None:
                # Refused without a payload fault: most likely a connection already
                # closing; give it a moment to say so before counting an attempt.
                try:
                    await asyncio.wait_for(conn.wait_closed(), 1.0)
                except asyncio.TimeoutError:
                    pass
            if conn.closed or isinstance(exc, ocpp_asyncio.ConnectionClosedError):
                stats.errors[CLOSED] += 1
                queue.connection_lost()  # not an attempt: it waits for the reconnect
                await conn.wait_closed()
            else:  # refused before sending (not the connection's fault): an attempt
                queue.failed(delivery.seq, time.monotonic(), f"cannot send: {exc}")
        else:
            stats.latencies.append(time.perf_counter() - started)
            delivered = queue.answered(delivery.seq, answer, time.monotonic())
            if delivered is not None:
                try:
                    check_transaction_answer(stats, delivered.request, delivered.response)
                except CheckFailed as exc:  # delivered, but refused: the run fails
                    self._refusals.append(str(exc))
