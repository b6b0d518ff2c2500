"""What the simulators share: a generic-API call over an asyncio connection, the
statistics of a run, and the JSON-lines frame log.

The simulators are written once against `ocpp_core.generic`: `Peer.call()` maps a
generic request to the connection's version, sends it, and maps the typed answer back,
timing it and counting what went wrong by OCPP error code.
"""

import datetime
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from typing import IO, Any, Optional

import ocpp_asyncio

import ocpp_core.generic as G
from ocpp_core.errors import LocalProtocolError

STATION_TO_CSMS = "cs->csms"
CSMS_TO_STATION = "csms->cs"

# Error labels besides OCPP's CALLERROR codes (those are used as they are).
TIMEOUT = "Timeout"
CLOSED = "ConnectionClosed"
INVALID = "InvalidResponse"
NOT_ACCEPTED = "NotAccepted"
CONNECT_FAILED = "ConnectFailed"


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Stats:
    """Counters of one run (one station, or a whole fleet: they add up)."""

    def __init__(self) -> None:
        self.calls = 0  # CALLs we sent
        self.calls_received = 0  # CALLs the peer sent us
        self.frames_in = 0
        self.frames_out = 0
        self.latencies: list[float] = []  # seconds, one per answered CALL
        self.errors: Counter[str] = Counter()  # label -> count

    def percentile(self, fraction: float) -> Optional[float]:
        if not self.latencies:
            return None
        # Nearest rank: the smallest value with at least `fraction` of them at or below.
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
        return ordered[index]


class FrameLog:
    """Every frame in and out as JSON lines: time, identity, ocpp, direction (named by
    the sender, "cs->csms" / "csms->cs"), frame. `ocpp-toolkit validate` reads it."""

    def __init__(self, stream: "IO[str]") -> None:
        self.stream = stream

    def observer(
        self,
        identity: str,
        version: "str | Callable[[], str]",
        role: str,
        stats: Optional[Stats] = None,
    ) -> "Callable[[str, str], None]":
        """`version` may be a callable, read at each frame: a CSMS attaches the log in
        on_connect, before the version is chosen, so that a CALL sent in the same TCP
        write as the upgrade request is logged too."""
        version_of = version if callable(version) else (lambda: version)
        incoming = CSMS_TO_STATION if role == "station" else STATION_TO_CSMS
        outgoing = STATION_TO_CSMS if role == "station" else CSMS_TO_STATION

        def on_frame(direction: str, text: str) -> None:
            record = {
                "time": utcnow().isoformat().replace("+00:00", "Z"),
                "identity": identity,
                "ocpp": version_of(),
                "direction": outgoing if direction == "out" else incoming,
                "frame": text,
            }
            self.stream.write(json.dumps(record) + "\n")
            if stats is not None:
                count_frame(stats, direction, text)

        return on_frame

    def close(self) -> None:
        self.stream.close()


def count_frame(stats: Stats, direction: str, text: str) -> None:
    if direction == "out":
        stats.frames_out += 1
    else:
        stats.frames_in += 1
        if text.lstrip("[ \t\r\n").startswith("2"):
            stats.calls_received += 1


def watch_frames(
    conn: "ocpp_asyncio.Connection",
    identity: str,
    role: str,
    stats: Stats,
    log: Optional[FrameLog],
) -> None:
    """Count (and log) every frame of `conn` from now on (from on_connect on, the
    version is read when each frame passes: it is chosen at the accept)."""
    if log is not None:
        conn.core.on_frame = log.observer(identity, lambda: conn.version or "?", role, stats)
    else:
        conn.core.on_frame = lambda direction, text: count_frame(stats, direction, text)


class CheckFailed(Exception):
    """A scenario step got an answer that is not the accepting one it needs."""


class Peer:
    """One open connection spoken to in the generic model."""

    def __init__(
        self,
        conn: "ocpp_asyncio.Connection",
        mapper: Any,
        stats: Stats,
        timeout: Optional[float] = None,
    ) -> None:
        self.conn = conn
        self.mapper = mapper
        self.stats = stats
        self.timeout = timeout

    async def call(self, request: Any) -> Any:
        """Send a generic request; the generic response. Errors are counted (by OCPP
        code) and raised again as CheckFailed with a one-line reason."""
        native = self.mapper.request_to_native(request)
        action = type(request).__name__[: -len("Request")]
        self.stats.calls += 1
        started = time.perf_counter()
        try:
            answer = await self.conn.call(native, timeout=self.timeout)
        except ocpp_asyncio.CallError as exc:
            self.stats.errors[exc.code] += 1
            raise CheckFailed(f"{action}: CALLERROR {exc.code} {exc.description}") from None
        except ocpp_asyncio.CallTimeout:
            self.stats.errors[TIMEOUT] += 1
            raise CheckFailed(f"{action}: no answer in time") from None
        except ocpp_asyncio.InvalidResponse as exc:
            self.stats.errors[INVALID] += 1
            raise CheckFailed(str(exc)) from None
        except ocpp_asyncio.ConnectionClosedError:
            self.stats.errors[CLOSED] += 1
            raise CheckFailed(f"{action}: the connection closed") from None
        except LocalProtocolError as exc:  # e.g. the connection is already closing
            self.stats.errors[CLOSED] += 1
            raise CheckFailed(f"{action}: cannot send: {exc}") from None
        self.stats.latencies.append(time.perf_counter() - started)
        return self.mapper.response_from_native(request, answer)


def require(stats: Stats, condition: bool, reason: str) -> None:
    """A step's answer must accept: count and raise when it does not."""
    if not condition:
        stats.errors[NOT_ACCEPTED] += 1
        raise CheckFailed(reason)


def native_type(version: str, action: str) -> type:
    """The typed request class of `action` in `version`."""
    import importlib

    package = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}[version]
    messages = importlib.import_module("ocpp_core." + package + ".messages")
    request_type: type = messages.REQUESTS[action]
    return request_type


def native_actions(version: str, generic_operation: str) -> "list[str]":
    """The native actions of `version` carrying a generic operation (1.6 RemoteStart...)."""
    mapper = G.mapper_for(version)
    actions = getattr(mapper, "ACTIONS", {}).get(generic_operation)
    if actions:
        return [actions] if isinstance(actions, str) else list(actions)
    return [generic_operation]
