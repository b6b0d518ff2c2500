"""Format and number checks for the validator: RFC 3339 date-time, RFC 3986 URI,
exact decimal `multipleOf`.

Hand-written character checks rather than regular expressions: MicroPython's `re`
takes `{m,n}` literally, and a loop over a 25-character timestamp is fast anyway.
"""

# Results of `datetime_status`.
DATETIME_OK = 0
DATETIME_BAD = 1
DATETIME_NO_ZONE = 2  # a valid date and time with no zone at all (a common quirk)

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _digits(text: str, start: int, count: int) -> int:
    """The value of `count` ASCII digits at `start`, or -1 if any is not one."""
    value = 0
    for i in range(start, start + count):
        c = text[i]
        if c < "0" or c > "9":
            return -1
        value = value * 10 + ord(c) - 48
    return value


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def datetime_status(text: str) -> int:
    """Check an RFC 3339 §5.6 `date-time`: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).

    `T` and `Z` may be lower case (RFC 3339 §5.6 NOTE). The date must exist (leap
    years included), hours 00-23, minutes 00-59, seconds 00-59: like the
    rfc3339-validator package behind jsonschema, we reject leap second 60 (no OCPP
    clock can produce one) and year 0000. Returns DATETIME_OK, DATETIME_BAD, or
    DATETIME_NO_ZONE when everything but the zone is right.
    """
    n = len(text)
    if n < 19:
        return DATETIME_BAD
    if text[4] != "-" or text[7] != "-" or text[13] != ":" or text[16] != ":":
        return DATETIME_BAD
    if text[10] != "T" and text[10] != "t":
        return DATETIME_BAD
    year = _digits(text, 0, 4)
    month = _digits(text, 5, 2)
    day = _digits(text, 8, 2)
    hour = _digits(text, 11, 2)
    minute = _digits(text, 14, 2)
    second = _digits(text, 17, 2)
    if year < 1 or month < 1 or month > 12 or day < 1:
        return DATETIME_BAD
    if day > days_in_month(year, month):
        return DATETIME_BAD
    if hour < 0 or hour > 23 or minute < 0 or minute > 59 or second < 0 or second > 59:
        return DATETIME_BAD
    i = 19
    if i < n and text[i] == ".":
        i += 1
        start = i
        while i < n and "0" <= text[i] <= "9":
            i += 1
        if i == start:
            return DATETIME_BAD
    if i == n:
        return DATETIME_NO_ZONE
    c = text[i]
    if c == "Z" or c == "z":
        return DATETIME_OK if i + 1 == n else DATETIME_BAD
    if (c == "+" or c == "-") and n == i + 6 and text[i + 3] == ":":
        offset_hour = _digits(text, i + 1, 2)
        offset_minute = _digits(text, i + 4, 2)
        if 0 <= offset_hour <= 23 and 0 <= offset_minute <= 59:
            return DATETIME_OK
    return DATETIME_BAD


def is_datetime(text: str) -> bool:
    return datetime_status(text) == DATETIME_OK


# --- RFC 3986 absolute URI -------------------------------------------------------

_ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGIT = "0123456789"
_HEX = "0123456789ABCDEFabcdef"
_UNRESERVED = _ALPHA + _DIGIT + "-._~"
_SUB_DELIMS = "!$&'()*+,;="
_REG_NAME = _UNRESERVED + _SUB_DELIMS  # also userinfo without ":" (plus pct-encoded)
_PCHAR = _REG_NAME + ":@"
_SCHEME = _ALPHA + _DIGIT + "+-."


def _only(text: str, allowed: str) -> bool:
    """True when every character is in `allowed` or is a valid %HH escape."""
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "%":
            if i + 2 >= n or text[i + 1] not in _HEX or text[i + 2] not in _HEX:
                return False
            i += 3
            continue
        if c not in allowed:
            return False
        i += 1
    return True


def _is_ipv4(text: str) -> bool:
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part or len(part) > 3 or _digits(part, 0, len(part)) < 0:
            return False
        if int(part) > 255 or (len(part) > 1 and part[0] == "0"):
            return False
    return True


def _is_h16(text: str) -> bool:
    if not 1 <= len(text) <= 4:
        return False
    for c in text:
        if c not in _HEX:
            return False
    return True


def _is_ipv6(text: str) -> bool:
    """RFC 3986 §3.2.2 IPv6address (with an optional trailing IPv4 part)."""
    pieces = 8
    if text and "." in text.split(":")[-1]:
        head, _, tail = text.rpartition(":")
        if not _is_ipv4(tail):
            return False
        # "::1.2.3.4": rpartition leaves "::" -> ":"; restore the double colon
        text = head + ":" if head.endswith(":") else head
        pieces = 6
    if text.count("::") > 1:
        return False
    if "::" in text:
        left, right = text.split("::")
        groups = (left.split(":") if left else []) + (right.split(":") if right else [])
        if len(groups) > pieces - 1:
            return False
    else:
        groups = text.split(":")
        if len(groups) != pieces:
            return False
    for group in groups:
        if not _is_h16(group):
            return False
    return True


def _is_ip_literal(text: str) -> bool:
    """The part between "[" and "]": IPv6address or IPvFuture."""
    if text[:1] in ("v", "V"):
        dot = text.find(".")
        if dot < 2 or dot == len(text) - 1:
            return False
        for c in text[1:dot]:
            if c not in _HEX:
                return False
        for c in text[dot + 1 :]:
            if c not in _REG_NAME and c != ":":
                return False
        return True
    return _is_ipv6(text)


def _is_authority(text: str) -> bool:
    at = text.find("@")
    if at >= 0:
        if not _only(text[:at], _REG_NAME + ":"):
            return False
        text = text[at + 1 :]
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or not _is_ip_literal(text[1:close]):
            return False
        rest = text[close + 1 :]
        if rest and (rest[0] != ":" or not _only_digits(rest[1:])):
            return False
        return True
    colon = text.find(":")
    if colon >= 0:
        if not _only_digits(text[colon + 1 :]):
            return False
        text = text[:colon]
    return _only(text, _REG_NAME)


def _only_digits(text: str) -> bool:
    for c in text:
        if c not in _DIGIT:
            return False
    return True


def is_uri(text: str) -> bool:
    """An absolute URI per RFC 3986 §3 / §4.3 grammar `URI`:
    scheme ":" hier-part [ "?" query ] [ "#" fragment ]. ASCII only."""
    colon = text.find(":")
    if colon < 1 or text[0] not in _ALPHA:
        return False
    for c in text[1:colon]:
        if c not in _SCHEME:
            return False
    rest = text[colon + 1 :]
    hash_at = rest.find("#")
    if hash_at >= 0:
        if not _only(rest[hash_at + 1 :], _PCHAR + "/?"):
            return False
        rest = rest[:hash_at]
    query_at = rest.find("?")
    if query_at >= 0:
        if not _only(rest[query_at + 1 :], _PCHAR + "/?"):
            return False
        rest = rest[:query_at]
    if rest.startswith("//"):
        slash = rest.find("/", 2)
        if slash < 0:
            slash = len(rest)
        if not _is_authority(rest[2:slash]):
            return False
        rest = rest[slash:]
    return _only(rest, _PCHAR + "/")


# --- exact decimal multipleOf ------------------------------------------------------


def number_text(number: "int | float") -> str:
    """The shortest decimal text that reads back as `number` ("92.6", "1e+22").

    CPython's repr is already that; MicroPython's is not (repr(92.6) is
    "92.59999999999999" there), so try 1..17 significant digits and take the first
    that round-trips. Infinities and NaN come out as "inf" / "nan"."""
    if not isinstance(number, float):
        return str(number)
    if number != number or number in (float("inf"), float("-inf")):
        return repr(number)
    for digits in range(1, 18):
        text = ("%." + str(digits) + "g") % number
        if float(text) == number:
            return text
    return repr(number)


def decimal_parts(number: "int | float") -> "tuple[int, int] | None":
    """(digits, exponent) with number == digits * 10**exponent, read from the
    number's shortest decimal text, i.e. the digits as they were written in the JSON
    text. None for infinities and NaN."""
    text = number_text(number)
    exponent = 0
    e_at = text.find("e")
    if e_at < 0:
        e_at = text.find("E")
    if e_at >= 0:
        exponent = int(text[e_at + 1 :])
        text = text[:e_at]
    dot = text.find(".")
    if dot >= 0:
        exponent -= len(text) - dot - 1
        text = text[:dot] + text[dot + 1 :]
    try:
        return int(text), exponent
    except ValueError:
        return None  # inf, nan


def is_multiple_of_decimal(number: "int | float", divisor: "int | float") -> bool:
    """Exact: is the written decimal `number` an integer multiple of `divisor`?

    8.1 is a multiple of 0.1 here (OCPP 1.6 §7.13 gives it as the example of a
    valid limit) although 8.1 / 0.1 == 80.99999999999999 in binary floating point.
    """
    a = decimal_parts(number)
    b = decimal_parts(divisor)
    if a is None or b is None or b[0] == 0:
        return False
    exponent = min(a[1], b[1])
    scaled_number = a[0] * 10 ** (a[1] - exponent)
    scaled_divisor = b[0] * 10 ** (b[1] - exponent)
    return bool(scaled_number % scaled_divisor == 0)


def is_multiple_of_float(number: "int | float", divisor: "int | float") -> bool:
    """Python jsonschema's verdict (binary floating point; rejects 8.1 for 0.1)."""
    if isinstance(divisor, float):
        quotient = number / divisor
        try:
            return int(quotient) == quotient
        except OverflowError:
            return is_multiple_of_decimal(number, divisor)
    return bool(number % divisor == 0)
