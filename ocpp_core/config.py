"""`RpcConfig`: every knob of `ocpp_core.rpc.RpcSession` in one object (MicroPython safe).

Where OCPP-J leaves a choice, the knob's default is the strict reading; docs/rpc.md
explains each choice. The object is checked once, at construction, and is frozen.
"""

try:
    from typing import Optional
except ImportError:  # MicroPython
    pass


def _number(name: str, value: object, minimum: float) -> float:
    # bool is an int subclass on CPython but not on MicroPython: refuse it on both.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not value > minimum:  # also refuses NaN
        raise ValueError(f"{name} must be > {minimum}, not {value!r}")
    return float(value)


def _count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, not {value!r}")
    return value


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value


_FIELDS = (
    "call_timeout",
    "max_queued_calls",
    "max_incoming_calls",
    "remembered_ids",
    "reuse_id_on_retry",
    "require_boot_accepted",
    "answer_unknown_message_type",
    "answer_unreadable_id_v16",
    "send_call_result_error",
    "allow_send_raw",
)


class RpcConfig:
    """Behaviour knobs of an RPC session. Keyword arguments only; all are optional.

    call_timeout (float, 30.0): seconds an outgoing CALL waits for its answer before
        `CallTimedOut`; `call(..., timeout=)` overrides it per CALL. The clock starts
        when the CALL is *sent* (leaves the queue), not when `call()` queued it, so
        every CALL gets its full time on the wire.
    max_queued_calls (int, 16): CALLs that may wait behind the one in flight (OCPP-J
        §4.1.1 allows one outstanding CALL per direction). One more -> `call()` raises
        `LocalProtocolError`. 0 means no queue: `call()` while busy raises.
    max_incoming_calls (int, 4): CALLs from the peer the user may hold unanswered at
        once. The peer should wait for each answer, but it may give up on a CALL
        after its own timeout and send the next one, so one is too few. A CALL over
        the bound is answered by the session with CALLERROR `GenericError` and
        reported as `CallRejected`.
    remembered_ids (int, 16): how many ended ids the session keeps, per list: our
        ended CALLs (to tell a late reply after a timeout from a stray one, and for
        2.1 retries) and, on 2.1, the CALLRESULTs we sent (to match a
        CALLRESULTERROR). 0 keeps none. The memory is a bounded FIFO.
    reuse_id_on_retry (bool, False): OCPP 2.1 only (§4.1.4: a retry MAY reuse its
        id). When True, `call(..., retry_of=message_id)` resends under the id of an
        ended CALL of the same action still remembered. Strict default: every CALL
        gets a fresh id.
    require_boot_accepted (bool, False): CSMS role. Until the session has sent a
        BootNotification CALLRESULT with status Accepted, answer every other incoming
        CALL with CALLERROR `SecurityError` (OCPP 1.6 errata §3.8, RECOMMENDED there;
        available on every version). Ignored for a station.
    answer_unknown_message_type (bool or None, None): answer a frame with an unknown
        message type number with a CALLERROR. None follows the version: 2.0.1 answers
        `MessageTypeNotSupported` (Part 4 §4.4 SHALL); 1.6 and 2.1 only ignore the
        payload (§4.1.3), so the session reports it and sends nothing.
    answer_unreadable_id_v16 (bool, False): OCPP 1.6 has no id to answer a frame whose
        id cannot be read (2.x uses "-1"). False: report it, send nothing. True: answer
        `FormationViolation` under the id "-1" as 2.x does.
    send_call_result_error (bool, True): OCPP 2.1: answer a CALLRESULT that fails
        validation with a CALLRESULTERROR (message type 5) carrying its id.
    allow_send_raw (bool, False): enable `send_raw(text)`, which puts any text on the
        wire unchecked (for test authors probing a peer). Off, it raises
        `LocalProtocolError`, so the normal path cannot send an invalid message.
    """

    __slots__ = _FIELDS

    def __init__(
        self,
        *,
        call_timeout: float = 30.0,
        max_queued_calls: int = 16,
        max_incoming_calls: int = 4,
        remembered_ids: int = 16,
        reuse_id_on_retry: bool = False,
        require_boot_accepted: bool = False,
        answer_unknown_message_type: "Optional[bool]" = None,
        answer_unreadable_id_v16: bool = False,
        send_call_result_error: bool = True,
        allow_send_raw: bool = False,
    ) -> None:
        if answer_unknown_message_type is not None:
            _flag("answer_unknown_message_type", answer_unknown_message_type)
        values = (
            _number("call_timeout", call_timeout, 0),
            _count("max_queued_calls", max_queued_calls, 0),
            _count("max_incoming_calls", max_incoming_calls, 1),
            _count("remembered_ids", remembered_ids, 0),
            _flag("reuse_id_on_retry", reuse_id_on_retry),
            _flag("require_boot_accepted", require_boot_accepted),
            answer_unknown_message_type,
            _flag("answer_unreadable_id_v16", answer_unreadable_id_v16),
            _flag("send_call_result_error", send_call_result_error),
            _flag("allow_send_raw", allow_send_raw),
        )
        for index in range(len(_FIELDS)):  # no zip(strict=) on MicroPython
            object.__setattr__(self, _FIELDS[index], values[index])

    # Declared for type checkers; the values live in the slots.
    call_timeout: float
    max_queued_calls: int
    max_incoming_calls: int
    remembered_ids: int
    reuse_id_on_retry: bool
    require_boot_accepted: bool
    answer_unknown_message_type: "Optional[bool]"
    answer_unreadable_id_v16: bool
    send_call_result_error: bool
    allow_send_raw: bool

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RpcConfig is frozen; make a new one with replace()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RpcConfig is frozen")

    def _items(self) -> "list[tuple[str, object]]":
        return [(name, getattr(self, name)) for name in _FIELDS]

    def replace(self, **changes: object) -> "RpcConfig":
        """A copy with some knobs changed (validated like the constructor)."""
        kwargs = dict(self._items())
        for name in changes:
            if name not in kwargs:
                raise TypeError("RpcConfig has no knob " + repr(name))
            kwargs[name] = changes[name]
        return RpcConfig(**kwargs)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RpcConfig):
            return NotImplemented
        return self._items() == other._items()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(tuple(self._items()))

    def __repr__(self) -> str:
        return "RpcConfig(" + ", ".join(n + "=" + repr(v) for n, v in self._items()) + ")"
