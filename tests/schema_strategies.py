"""Hypothesis strategies driven by the generated validator tables (`TYPES`).

- `valid_payloads(types, type_name)`: payloads that satisfy every keyword of the type
  (types, required, lengths, enums, bounds, multipleOf, items, date-time and uri
  formats), kept small: arrays hold at most min(maxItems, 3) items, strings at most
  min(maxLength, 24) characters, and below depth 6 only required fields appear.
- `mutated_payloads(types, type_name, kinds=None)`: `(payload, kind, path)` where the
  payload is a valid one with exactly one violation of `kind` (a constant of
  `ocpp_core.versions`) at JSON path `path`.

Shared with the other helpers' tests; import from `tests.schema_strategies` or, with
`tests` on sys.path, `schema_strategies`.
"""

import copy
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from ocpp_core import versions
from ocpp_core.validator import render_path

MAX_ARRAY = 3
MAX_STRING = 24
MAX_DEPTH = 6

Schema = dict[str, Any]
Types = dict[str, Any]

# Characters for generated strings: ASCII, accents, CJK and an astral code point, so
# maxLength is exercised in code points rather than bytes.
_ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    max_codepoint=0x1F64F,
)

_URIS = (
    "ftp://diag.example.com/upload/",
    "https://firmware.example.org/fw/1.2.3.bin?sig=abc%20def",
    "http://10.0.0.1:8080/",
    "sftp://user:secret@[2001:db8::7]/logs",
    "urn:oca:firmware:42",
)


def _resolve(schema: Schema, defs: dict[str, Schema]) -> Schema:
    while "ref" in schema:
        schema = defs[schema["ref"]]
    return schema


# --- date-times ----------------------------------------------------------------------


@st.composite
def rfc3339_datetimes(draw: Any) -> str:
    """Aware RFC 3339 date-times in several spellings (Z, z, t, offsets, fractions)."""
    year = draw(st.integers(1, 9999))
    month = draw(st.integers(1, 12))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    day = draw(st.integers(1, last))
    hour, minute, second = (
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 59)),
    )
    text = f"{year:04d}-{month:02d}-{day:02d}{draw(st.sampled_from('Tt'))}{hour:02d}:{minute:02d}:{second:02d}"
    if draw(st.booleans()):
        text += "." + draw(st.text("0123456789", min_size=1, max_size=9))
    zone = draw(st.sampled_from(("Z", "z", "+", "-")))
    if zone in "+-":
        zone += f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"
    return text + zone


BAD_DATETIMES = (
    "2025-02-29T00:00:00Z",  # no such day
    "2025-01-31 12:00:00Z",  # space separator
    "2025-01-31T12:00:00",  # no zone
    "2025-01-31T24:00:00Z",  # hour 24
    "2025-01-31T12:00:00+0100",  # offset without colon
    "31/01/2025 12:00",
)


# --- valid values ----------------------------------------------------------------------


def _string(schema: Schema) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    fmt = schema.get("format")
    high = schema.get("maxLength")
    low = schema.get("minLength", 0)
    if fmt == "date-time":
        strategy: st.SearchStrategy[Any] = rfc3339_datetimes()
    elif fmt == "uri":
        strategy = st.sampled_from(_URIS)
    else:
        top = MAX_STRING if high is None else min(high, MAX_STRING)
        return st.text(_ALPHABET, min_size=low, max_size=max(top, low))
    if high is not None or low:
        strategy = strategy.filter(
            lambda s: low <= len(s) <= (high if high is not None else len(s))
        )
    return strategy


def _number(schema: Schema, integer: bool) -> st.SearchStrategy[Any]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    step = schema.get("multipleOf")
    if integer or step is not None:
        lo = -(2**31) if low is None else int(low) + (1 if low != int(low) and low > 0 else 0)
        hi = 2**31 if high is None else int(high)
        if step is None:
            return st.integers(lo, hi)
        # k * step, written with as many decimals as the step (e.g. 8.1 for 0.1)
        frac = Fraction(str(step))
        k_lo = -(10**6) if low is None else -(-Fraction(str(low)) // frac)
        k_hi = 10**6 if high is None else Fraction(str(high)) // frac
        return st.integers(int(k_lo), int(k_hi)).map(lambda k: float(Fraction(k) * frac))
    return st.floats(
        min_value=-1e9 if low is None else low,
        max_value=1e9 if high is None else high,
        allow_nan=False,
        allow_infinity=False,
    ) | st.integers(
        -(10**6) if low is None else int(low) + (1 if low != int(low) else 0),
        10**6 if high is None else int(high),
    ).filter(lambda n: (low is None or n >= low) and (high is None or n <= high))


class _Builder:
    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs
        self._cache: dict[tuple[int, int], st.SearchStrategy[Any]] = {}

    def value(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        schema = _resolve(schema, self.defs)
        key = (id(schema), min(depth, MAX_DEPTH + 1))
        found = self._cache.get(key)
        if found is None:
            found = self._build(schema, depth)
            self._cache[key] = found
        return found

    def _build(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        json_type = schema.get("type")
        if isinstance(json_type, list):
            json_type = json_type[0]
        if json_type == "object":
            return self._object(schema, depth)
        if json_type == "array":
            low = schema.get("minItems", 0)
            high = schema.get("maxItems")
            top = MAX_ARRAY if high is None else min(high, MAX_ARRAY)
            if depth > MAX_DEPTH:
                top = low
            return st.lists(
                self.value(schema.get("items", {}), depth + 1), min_size=low, max_size=max(top, low)
            )
        if json_type == "string":
            return _string(schema)
        if json_type == "integer":
            return _number(schema, True)
        if json_type == "number":
            return _number(schema, False)
        if json_type == "boolean":
            return st.booleans()
        if json_type == "null":
            return st.none()
        return st.integers(0, 9)  # untyped: any JSON value will do

    def _object(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        required = set(schema.get("required", ()))
        must: dict[str, st.SearchStrategy[Any]] = {}
        may: dict[str, st.SearchStrategy[Any]] = {}
        names = set()
        for name, sub in schema.get("properties", ()):
            names.add(name)
            if name in required:
                must[name] = self.value(sub, depth + 1)
            elif depth <= MAX_DEPTH:
                may[name] = self.value(sub, depth + 1)
        for name in required - names:
            must[name] = st.integers(0, 9)  # required but not described: any value
        base = st.fixed_dictionaries(must, optional=may)
        if schema.get("additionalProperties", True) is False:
            return base
        extras = st.dictionaries(
            st.sampled_from(["vendorExtraA", "vendorExtraB"]).filter(lambda k: k not in names),
            st.integers(0, 99) | st.text(max_size=5),
            max_size=2,
        )
        return st.tuples(base, extras).map(lambda pair: dict(pair[1], **pair[0]))


_BUILDERS: dict[tuple[int, str], st.SearchStrategy[Any]] = {}


def valid_payloads(types: Types, type_name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads of `type_name` that satisfy every schema keyword."""
    key = (id(types), type_name)
    found = _BUILDERS.get(key)
    if found is None:
        root, defs = types[type_name][0], types[type_name][1]
        found = _Builder(defs).value(root, 0)
        _BUILDERS[key] = found
    return found


# --- mutations -------------------------------------------------------------------------

UNEXPECTED = "unexpectedField"

Site = tuple[str, list[Any], tuple[Any, ...]]  # (kind, keys of the node, action)


def _wrong_type_value(json_type: Any) -> Any:
    first = json_type[0] if isinstance(json_type, list) else json_type
    return {
        "string": 12345,
        "integer": "12",
        "number": "1.5",
        "boolean": "true",
        "object": "{}",
        "array": {"0": 1},
        "null": 0,
    }[first]


def _sites(
    schema: Schema, defs: dict[str, Schema], value: Any, keys: list[Any], out: list[Site]
) -> None:
    schema = _resolve(schema, defs)
    json_type = schema.get("type")
    if keys and json_type is not None:
        out.append((versions.TYPE, keys, ("set", _wrong_type_value(json_type))))
    if isinstance(value, dict):
        required = schema.get("required", ())
        names = set()
        for name, sub in schema.get("properties", ()):
            names.add(name)
            if name in value:
                _sites(sub, defs, value[name], [*keys, name], out)
                if name in required:
                    out.append((versions.REQUIRED, [*keys, name], ("delete", name)))
        if schema.get("additionalProperties", True) is False and UNEXPECTED not in names:
            out.append((versions.ADDITIONAL_PROPERTY, [*keys, UNEXPECTED], ("add", UNEXPECTED, 1)))
    elif isinstance(value, list):
        items = schema.get("items")
        low = schema.get("minItems")
        high = schema.get("maxItems")
        if low:
            out.append((versions.MIN_ITEMS, keys, ("set", value[: low - 1])))
        if high is not None and value and high <= 1024:
            out.append(
                (versions.MAX_ITEMS, keys, ("set", value + [value[0]] * (high + 1 - len(value))))
            )
        if items is not None:
            for index, item in enumerate(value):
                _sites(items, defs, item, [*keys, index], out)
    elif isinstance(value, str):
        if "enum" in schema:
            wrong = value.swapcase() if value.swapcase() not in schema["enum"] else "NotAnEnumValue"
            out.append((versions.ENUM, keys, ("set", wrong)))
            return
        high = schema.get("maxLength")
        if high is not None and "format" not in schema:
            out.append((versions.MAX_LENGTH, keys, ("set", "x" * (high + 1))))
        low = schema.get("minLength")
        if low and "format" not in schema:
            out.append((versions.MIN_LENGTH, keys, ("set", "x" * (low - 1))))
        if schema.get("format") == "date-time":
            out.append((versions.FORMAT, keys, ("bad-datetime",)))
        elif schema.get("format") == "uri":
            out.append((versions.FORMAT, keys, ("set", "not a uri")))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        integer = json_type == "integer"
        step = schema.get("multipleOf")
        low = schema.get("minimum")
        high = schema.get("maximum")
        if low is not None:
            out.append((versions.MINIMUM, keys, ("set", _beyond(low, -1, integer))))
        if high is not None:
            out.append((versions.MAXIMUM, keys, ("set", _beyond(high, 1, integer))))
        if step is not None:
            off = value + step / 2
            if (low is None or off >= low) and (high is None or off <= high):
                out.append((versions.MULTIPLE_OF, keys, ("set", float(repr(round(off, 10))))))


def _beyond(bound: float, direction: int, integer: bool) -> Any:
    if integer or bound == int(bound):
        return int(bound) + direction
    return bound + direction


def _apply(payload: Any, keys: list[Any], action: tuple[Any, ...], bad: str) -> Any:
    result = copy.deepcopy(payload)
    if action[0] in ("delete", "add"):
        parent = result
        for key in keys[:-1]:
            parent = parent[key]
        if action[0] == "delete":
            del parent[action[1]]
        else:
            parent[action[1]] = action[2]
        return result
    new = bad if action[0] == "bad-datetime" else action[1]
    parent = result
    for key in keys[:-1]:
        parent = parent[key]
    parent[keys[-1]] = new
    return result


def mutated_payloads(
    types: Types, type_name: str, kinds: tuple[str, ...] | None = None
) -> st.SearchStrategy[tuple[Any, str, str]]:
    """(payload, expected kind, expected JSON path): a valid payload of `type_name`
    with exactly one violation. `kinds` restricts the kinds tried (a kind the drawn
    payload offers no place for is skipped; there is always an extra field to add
    at the root, so the strategy never runs dry)."""
    root, defs = types[type_name][0], types[type_name][1]

    @st.composite
    def build(draw: Any) -> tuple[Any, str, str]:
        payload = draw(valid_payloads(types, type_name))
        sites: list[Site] = []
        _sites(root, defs, payload, [], sites)
        if kinds is not None:
            chosen = [s for s in sites if s[0] in kinds]
            sites = chosen or [s for s in sites if s[0] == versions.ADDITIONAL_PROPERTY]
        # kind first, then the place: rare kinds (multipleOf, maxItems) get drawn as
        # often as the ubiquitous ones (type, extra field)
        kind = draw(st.sampled_from(sorted(set([site[0] for site in sites]))))
        kind, keys, action = draw(st.sampled_from([site for site in sites if site[0] == kind]))
        bad = draw(st.sampled_from(BAD_DATETIMES))
        return _apply(payload, keys, action, bad), kind, render_path(keys)

    return build()
