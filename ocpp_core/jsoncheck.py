"""A strict JSON syntax check for MicroPython, whose `json.loads` is lenient.

MicroPython 1.27's `json.loads` accepts text that is not JSON (RFC 8259): commas may
be missing, doubled or trailing (`[1 2]`, `[1,,2]`, `[1,]`), an object member may lack
its value (`{"a"}`) or have a number as key, numbers may have leading zeros or a bare
dot (`01`, `1.`), strings may hold raw control characters or unknown escapes (`"\\q"`),
and a number beyond a double's range becomes infinity. CPython's `json` (with the
hooks `ocpp_core.frames` passes) refuses all of these, and so must a strict peer on
MicroPython: `ocpp_core.frames` runs `is_strict_json` before `json.loads` there.

Pure Python, MicroPython safe, iterative (deep nesting costs no call stack). It works
on the UTF-8 bytes, because indexing a MicroPython `str` walks from its start.
"""

_WS = b" \t\n\r"
_DIGITS = b"0123456789"
_ESCAPED = b'"\\/bfnrt'
_HEX = b"0123456789abcdefABCDEF"
_QUOTE = 0x22  # "
_BACKSLASH = 0x5C  # \
_LITERALS = (b"true", b"false", b"null")


def is_strict_json(text: "str | bytes") -> bool:
    """True when `text` is exactly one JSON value (RFC 8259), whitespace around it
    allowed, with every number within a double's range."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    n = len(data)
    stack: list[int] = []  # the closing bracket of each open container
    i = _skip_ws(data, 0, n)
    while True:
        # A value starts at i.
        if i >= n:
            return False
        c = data[i]
        if c == 0x5B or c == 0x7B:  # [ {
            close = 0x5D if c == 0x5B else 0x7D
            i = _skip_ws(data, i + 1, n)
            if i < n and data[i] == close:
                i += 1  # an empty container is a complete value
            else:
                stack.append(close)
                if close == 0x7D:
                    i = _member_key(data, i, n)
                    if i < 0:
                        return False
                continue  # the first element or member value
        elif c == _QUOTE:
            i = _string_end(data, i, n)
        elif c == 0x74 or c == 0x66 or c == 0x6E:  # t f n
            i = _literal_end(data, i)
        else:
            i = _number_end(data, i, n)
        if i < 0:
            return False
        # After a complete value: close containers, or find the comma before the next.
        while True:
            i = _skip_ws(data, i, n)
            if not stack:
                return i == n
            if i >= n:
                return False
            c = data[i]
            if c == stack[-1]:
                stack.pop()
                i += 1
                continue
            if c != 0x2C:  # ,
                return False
            i = _skip_ws(data, i + 1, n)
            if stack[-1] == 0x7D:
                i = _member_key(data, i, n)
                if i < 0:
                    return False
            break


def _skip_ws(data: bytes, i: int, n: int) -> int:
    while i < n and data[i] in _WS:
        i += 1
    return i


def _member_key(data: bytes, i: int, n: int) -> int:
    """Past `"key" :` and the whitespace after it, or -1."""
    if i >= n or data[i] != _QUOTE:
        return -1
    i = _string_end(data, i, n)
    if i < 0:
        return -1
    i = _skip_ws(data, i, n)
    if i >= n or data[i] != 0x3A:  # :
        return -1
    return _skip_ws(data, i + 1, n)


def _string_end(data: bytes, i: int, n: int) -> int:
    """`data[i]` is an opening quote: the index after the closing one, or -1."""
    i += 1
    while i < n:
        c = data[i]
        if c == _QUOTE:
            return i + 1
        if c < 0x20:  # raw control characters must be escaped
            return -1
        if c == _BACKSLASH:
            if i + 1 >= n:
                return -1
            escaped = data[i + 1]
            if escaped == 0x75:  # u
                for k in range(i + 2, i + 6):
                    if k >= n or data[k] not in _HEX:
                        return -1
                i += 6
                continue
            if escaped not in _ESCAPED:
                return -1
            i += 2
            continue
        i += 1
    return -1


def _literal_end(data: bytes, i: int) -> int:
    for word in _LITERALS:
        if data[i : i + len(word)] == word:
            return i + len(word)
    return -1


def _digits_end(data: bytes, i: int, n: int) -> int:
    while i < n and data[i] in _DIGITS:
        i += 1
    return i


def _number_end(data: bytes, i: int, n: int) -> int:
    """-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at i: the index after it, or -1."""
    start = i
    if i < n and data[i] == 0x2D:  # -
        i += 1
    if i >= n or data[i] not in _DIGITS:
        return -1
    if data[i] == 0x30:  # a leading 0 stands alone
        i += 1
    else:
        i = _digits_end(data, i, n)
    is_float = False
    if i < n and data[i] == 0x2E:  # .
        end = _digits_end(data, i + 1, n)
        if end == i + 1:
            return -1
        i = end
        is_float = True
    if i < n and (data[i] == 0x65 or data[i] == 0x45):  # e E
        i += 1
        if i < n and (data[i] == 0x2B or data[i] == 0x2D):  # + -
            i += 1
        end = _digits_end(data, i, n)
        if end == i:
            return -1
        i = end
        is_float = True
    if is_float:
        value = float(data[start:i].decode())
        if value - value != 0.0:  # beyond a double's range: it would load as infinity
            return -1
    return i
