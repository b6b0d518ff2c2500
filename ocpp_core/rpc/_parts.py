"""Building blocks of `RpcSession` (MicroPython safe).

- `OutCall`: one outgoing CALL, queued or in flight.
- `Memory`: a bounded FIFO of (message id, action) pairs for ended ids.
- The outgoing direction's state machine as a transition table (h11 style).
- `actions_of(version)`: the generated schema tables, imported on first use.
- Violation kinds the session itself detects (the codec knows the others).
"""

from ocpp_core import versions
from ocpp_core.errors import LocalProtocolError

try:
    from typing import Any, Optional
except ImportError:  # MicroPython
    pass


# Violation kinds found by the session, not the codec (ocpp_core.versions has the rest).
TOO_MANY_CALLS = "too-many-calls"  # over RpcConfig.max_incoming_calls -> GenericError
BEFORE_BOOT = "before-boot-accepted"  # require_boot_accepted -> SecurityError


class OutCall:
    """One of our CALLs. `deadline` is None while it waits in the queue."""

    __slots__ = ("action", "deadline", "message_id", "text", "timeout")

    def __init__(self, message_id: str, action: str, text: str, timeout: float) -> None:
        self.message_id = message_id
        self.action = action
        self.text = text
        self.timeout = timeout
        self.deadline: Optional[float] = None


class Memory:
    """The last `size` (message id, action) pairs, oldest dropped first.

    A list of pairs, not a dict: MicroPython dicts do not keep insertion order, and the
    list never holds more than `size` entries, so a linear scan is cheap.
    """

    __slots__ = ("_pairs", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._pairs: list[tuple[str, str]] = []

    def add(self, message_id: str, action: str) -> None:
        if self.size == 0:
            return
        self.pop(message_id)
        self._pairs.append((message_id, action))
        if len(self._pairs) > self.size:
            self._pairs.pop(0)

    def get(self, message_id: str) -> "Optional[str]":
        for known_id, action in self._pairs:
            if known_id == message_id:
                return action
        return None

    def pop(self, message_id: str) -> "Optional[str]":
        for index in range(len(self._pairs)):
            if self._pairs[index][0] == message_id:
                return self._pairs.pop(index)[1]
        return None

    def __len__(self) -> int:
        return len(self._pairs)

    def ids(self) -> "list[str]":
        return [pair[0] for pair in self._pairs]


# ---------------------------------------------------------------------------
# Outgoing direction: at most one CALL awaiting its answer (OCPP-J §4.1.1).

IDLE = "IDLE"  # no CALL of ours on the wire
AWAITING = "AWAITING_ANSWER"  # one CALL sent, no answer, not timed out
CLOSED = "CLOSED"  # connection_lost() was called

# Events of the outgoing direction.
CALL_SENT = "call-sent"
CALL_ENDED = "call-ended"  # answered (result, error, invalid reply) or timed out
CONNECTION_LOST = "connection-lost"

OUT_TRANSITIONS = {
    (IDLE, CALL_SENT): AWAITING,
    (AWAITING, CALL_ENDED): IDLE,
    (IDLE, CONNECTION_LOST): CLOSED,
    (AWAITING, CONNECTION_LOST): CLOSED,
}


def next_state(state: str, event: str) -> str:
    """The state after `event`; a missing entry is a bug in the session, not the peer."""
    new = OUT_TRANSITIONS.get((state, event))
    if new is None:
        raise LocalProtocolError(f"no transition from {state} on {event}")
    return new


# ---------------------------------------------------------------------------
# Generated tables, imported on first use so a session loads only its own version.


def actions_of(version: str) -> "tuple[dict[str, Any], list[str]]":
    """(ACTIONS, SEND_ACTIONS) of the generated `ocpp_core.vXX.schema` module."""
    if version == versions.V16:
        from ocpp_core.v16 import schema as v16

        return v16.ACTIONS, v16.SEND_ACTIONS
    if version == versions.V201:
        from ocpp_core.v201 import schema as v201

        return v201.ACTIONS, v201.SEND_ACTIONS
    if version == versions.V21:
        from ocpp_core.v21 import schema as v21

        return v21.ACTIONS, v21.SEND_ACTIONS
    raise ValueError(
        "unknown OCPP version {!r}; expected one of {}".format(
            version, ", ".join(versions.VERSIONS)
        )
    )


# version -> the default codec, shared by every session of that version: a codec keeps
# no state of a connection (only caches every connection may share), and one per
# connection cost ~12 KB each. An entry is stored once built (an atomic dict write), so
# a session in another thread sees a whole codec or none.
_DEFAULT_CODECS = {}  # type: dict[str, Any]


def default_codec(version: str) -> "Any":
    """The msgspec `Codec` when msgspec is importable (CPython), else the pure `PyCodec`;
    one per version, shared by every session that brings no codec of its own."""
    codec = _DEFAULT_CODECS.get(version)
    if codec is not None:
        return codec
    try:
        from ocpp_core.codec import Codec
    except ImportError:  # MicroPython, or CPython without msgspec
        from ocpp_core.pycodec import PyCodec

        codec = PyCodec(version)
    else:
        codec = Codec(version)
    return _DEFAULT_CODECS.setdefault(version, codec)


# version -> {message type name: action} (requests, responses and SEND messages).
_BY_TYPE_NAME = {}  # type: dict[str, dict[str, str]]


def by_type_name(version: str) -> "dict[str, str]":
    """Message type name -> action for `version`, built once (read-only once built)."""
    table = _BY_TYPE_NAME.get(version)
    if table is None:
        actions = actions_of(version)[0]
        table = {}
        for action in actions:
            spec = actions[action]
            table[spec[1]] = action
            if spec[2] is not None:
                table[spec[2]] = action
        table = _BY_TYPE_NAME.setdefault(version, table)
    return table


def is_number(value: "Any") -> bool:
    # bool first: CPython's bool is an int, MicroPython's is not.
    return not isinstance(value, bool) and isinstance(value, (int, float))
