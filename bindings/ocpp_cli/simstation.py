"""The station simulator: one station running one scenario, written once in the
generic model, so `boot`, `charge` and `remote` are the same code for 1.6, 2.0.1, 2.1.

- boot: BootNotification (must be Accepted), Heartbeat, StatusNotification Available.
- charge: boot, Authorize (Accepted), Occupied, a transaction (Started with the
  Transaction.Begin register reading, Updated with periodic meter values, Ended with
  the Transaction.End reading), Available.
- remote: boot, then wait for the CSMS's remote start (1.6 RemoteStartTransaction,
  2.x RequestStartTransaction), answer Accepted and run the transaction for the id
  token received (2.x: triggerReason RemoteStart with its remoteStartId).
"""

import asyncio
import ssl as ssl_module
import uuid
from typing import Any, Optional

import ocpp_asyncio

import ocpp_core.generic as G
from ocpp_cli.sim import (
    CONNECT_FAILED,
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
from ocpp_core.ws import StationConfig

SCENARIOS = ("boot", "charge", "remote")
LOCAL_TAG = "TAG-0001"


class StationRun:
    """One station, one scenario. `await run()` -> True when every answer accepted;
    `failure` says why not."""

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
        try:
            conn = await ocpp_asyncio.connect(
                self.config, self.router, ssl=self.ssl, auto_heartbeat=False
            )
        except (OSError, ocpp_asyncio.HandshakeError, asyncio.TimeoutError) as exc:
            self.stats.errors[CONNECT_FAILED] += 1
            self.failure = f"cannot connect to {self.config.url}: {exc}"
            return False
        watch_frames(conn, self.identity, "station", self.stats, self.frame_log)
        peer = Peer(conn, self.mapper, self.stats, self.timeout)
        try:
            await self._scenario(peer)
        except CheckFailed as exc:
            self.failure = str(exc)
        finally:
            await conn.close()
        return self.failure is None

    async def _scenario(self, peer: Peer) -> None:
        await self._boot(peer)
        if self.scenario == "charge":
            token = G.IdToken(id_token=LOCAL_TAG, type="ISO14443")
            answer = await peer.call(G.AuthorizeRequest(id_token=token))
            status = answer.id_token_info.status
            require(self.stats, status == "Accepted", f"Authorize: {status}")
            await self._transaction(peer, token, "Authorized", None)
        elif self.scenario == "remote":
            try:
                request = await asyncio.wait_for(asyncio.shield(self.remote), self.timeout)
            except asyncio.TimeoutError:
                require(self.stats, False, f"no remote start within {self.timeout:g} s")
            token = request.id_token
            if token.type is None:  # from 1.6: an idTag carries no type
                token = G.IdToken(id_token=token.id_token, type="Central")
            await self._transaction(peer, token, "RemoteStart", request.remote_start_id)

    async def _boot(self, peer: Peer) -> None:
        station = G.ChargingStation(vendor_name="ocpp-toolkit", model="Simulator")
        answer = await peer.call(
            G.BootNotificationRequest(charging_station=station, reason="PowerUp")
        )
        require(self.stats, answer.status == "Accepted", f"BootNotification: {answer.status}")
        await peer.call(G.HeartbeatRequest())
        await self._status(peer, "Available")

    async def _status(self, peer: Peer, status: str, v16_status: Optional[str] = None) -> None:
        await peer.call(
            G.StatusNotificationRequest(
                evse_id=1,
                connector_id=1,
                connector_status=status,
                timestamp=utcnow(),
                v16_status=v16_status,
            )
        )

    async def _transaction(
        self, peer: Peer, token: Any, trigger: str, remote_start_id: Optional[int]
    ) -> None:
        transaction_id = "tx-" + uuid.uuid4().hex[:16]
        evse = G.Evse(id=1, connector_id=1)
        await self._status(peer, "Occupied", "Charging")

        def event(event_type: str, seq_no: int, reason: str, **fields: Any) -> Any:
            return G.TransactionEventRequest(
                event_type=event_type,
                transaction_id=transaction_id,
                timestamp=utcnow(),
                trigger_reason=reason,
                seq_no=seq_no,
                **fields,
            )

        started = await peer.call(
            event(
                "Started",
                0,
                trigger,
                evse=evse,
                id_token=token,
                remote_start_id=remote_start_id,
                meter_value=[_meter(1000.0, "Transaction.Begin")],
            )
        )
        info = started.id_token_info
        require(
            self.stats,
            info is None or info.status == "Accepted",
            f"TransactionEvent Started: {info and info.status}",
        )
        await peer.call(
            event("Updated", 1, "MeterValuePeriodic", evse=evse, meter_value=[_meter(1750.0, None)])
        )
        stop_reason = "StopAuthorized" if trigger == "Authorized" else "RemoteStop"
        await peer.call(
            event(
                "Ended",
                2,
                stop_reason,
                id_token=token if trigger == "Authorized" else None,
                stopped_reason="Local" if trigger == "Authorized" else "Remote",
                meter_value=[_meter(2500.0, "Transaction.End")],
            )
        )
        await self._status(peer, "Available")


def _meter(wh: float, context: Optional[str]) -> Any:
    sample = G.SampledValue(value=wh, context=context, measurand=G.ENERGY_REGISTER, unit="Wh")
    return G.MeterValue(timestamp=utcnow(), sampled_value=[sample])
