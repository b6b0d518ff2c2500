"""Message-id factories for `RpcSession(id_factory=...)` (MicroPython safe).

The core reads no randomness and no clock: the caller picks a factory.
- `CounterIds`: "1", "2", ... (optionally prefixed). Deterministic; for tests,
  simulators and stations whose ids only need to be unique on one connection.
- `Uuid4Ids`: RFC 4122 version-4 UUIDs (36 characters, the OCPP-J maximum), built from
  an injected `getrandbits(32) -> int` such as `random.SystemRandom().getrandbits`
  on CPython or `random.getrandbits` on MicroPython (whose getrandbits takes at most 32).

A factory is any zero-argument callable returning a string; the session checks every id
it produces (length 1..36, not in use by a CALL in flight or queued).
"""

try:
    from collections.abc import Callable
except ImportError:  # MicroPython
    pass

MAX_ID_LENGTH = 36


class CounterIds:
    """Ids `prefix + "1"`, `prefix + "2"`, ... counting up from `start`."""

    __slots__ = ("_next", "prefix")

    def __init__(self, prefix: str = "", start: int = 1) -> None:
        if not isinstance(prefix, str):
            raise TypeError("prefix must be a str, not " + type(prefix).__name__)
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError("start must be an int >= 0, not " + repr(start))
        # Leave room for 16 digits so the ids stay within 36 characters.
        if len(prefix) > MAX_ID_LENGTH - 16:
            raise ValueError(f"prefix longer than {MAX_ID_LENGTH - 16} characters")
        self.prefix = prefix
        self._next = start

    def __call__(self) -> str:
        value = self._next
        self._next = value + 1
        return self.prefix + str(value)


class Uuid4Ids:
    """Random version-4 UUID strings from an injected 32-bit random source."""

    __slots__ = ("_getrandbits",)

    def __init__(self, getrandbits: "Callable[[int], int]") -> None:
        if not callable(getrandbits):
            raise TypeError("getrandbits must be callable, e.g. random.getrandbits")
        self._getrandbits = getrandbits

    def __call__(self) -> str:
        # Four 32-bit words, most significant first; no big-int arithmetic needed.
        words = [self._getrandbits(32) & 0xFFFFFFFF for _ in range(4)]
        words[1] = (words[1] & 0xFFFF0FFF) | 0x00004000  # version 4
        words[2] = (words[2] & 0x3FFFFFFF) | 0x80000000  # variant 10xx (RFC 4122)
        digits = f"{words[0]:08x}{words[1]:08x}{words[2]:08x}{words[3]:08x}"
        return "-".join((digits[0:8], digits[8:12], digits[12:16], digits[16:20], digits[20:32]))
