"""QuirksPolicy: per-station leniency towards known vendor mistakes, every fixup reported.

One policy object, strict by default (every knob rejects). A CSMS keeps one per
station (or per firmware) and hands it to the validator / codec of that connection:

    >>> from ocpp_core.validator import Validator
    >>> policy = QuirksPolicy(zoneless_timestamps_utc=True)
    >>> fixed, fixups, violations = Validator("1.6", quirks=policy).fix(
    ...     "HeartbeatResponse", {"currentTime": "2025-01-31T12:00:00"})
    >>> fixed["currentTime"], fixups[0].knob, violations
    ('2025-01-31T12:00:00Z', 'zoneless_timestamps_utc', [])

`fix` works on a copy (the input is never mutated), reports each change as a `Fixup`,
and returns the violations that remain after fixing. Knobs (docs/quirks.md):

- `overlong_strings`: REJECT | ACCEPT | TRUNCATE a string over its maxLength, for every
  field or only the names in `overlong_fields` (e.g. {"chargePointSerialNumber"}).
- `zoneless_timestamps_utc`: a date-time without a zone is read as UTC (gets "Z").
- `enum_case`: an enum value in the wrong case is set to the spec's spelling.
- `unknown_enum`: REJECT | DROP an unknown enum value of an optional field.
- `numbers_as_strings`: "12" becomes 12 where an integer or number is expected.
- `null_optional`: REJECT | DROP `null` sent for an optional field.
- `unknown_fields`: REJECT | DROP fields the schema does not allow.
"""

from ocpp_core.errors import Violation
from ocpp_core.validator import render_path
from ocpp_core.validator.formats import DATETIME_NO_ZONE, datetime_status
from ocpp_core.versions import MAX_LENGTH

try:
    from typing import Any, Optional
except ImportError:  # MicroPython
    pass

REJECT = "reject"
ACCEPT = "accept"
TRUNCATE = "truncate"
DROP = "drop"

_KNOBS = (
    "overlong_strings",
    "overlong_fields",
    "zoneless_timestamps_utc",
    "enum_case",
    "unknown_enum",
    "numbers_as_strings",
    "null_optional",
    "unknown_fields",
)


class _Dropped:
    """The `new` value of a Fixup that removed a field."""

    def __repr__(self) -> str:
        return "DROPPED"


DROPPED = _Dropped()


class QuirksPolicy:
    """What to forgive a peer, knob by knob. `QuirksPolicy()` forgives nothing."""

    def __init__(
        self,
        *,
        overlong_strings: str = REJECT,
        overlong_fields: "Optional[Any]" = None,
        zoneless_timestamps_utc: bool = False,
        enum_case: bool = False,
        unknown_enum: str = REJECT,
        numbers_as_strings: bool = False,
        null_optional: str = REJECT,
        unknown_fields: str = REJECT,
    ) -> None:
        _check_choice("overlong_strings", overlong_strings, (REJECT, ACCEPT, TRUNCATE))
        _check_choice("unknown_enum", unknown_enum, (REJECT, DROP))
        _check_choice("null_optional", null_optional, (REJECT, DROP))
        _check_choice("unknown_fields", unknown_fields, (REJECT, DROP))
        self.overlong_strings = overlong_strings
        # None: every field; else only these property names (a string field inside an
        # array counts under the array's name).
        self.overlong_fields = None if overlong_fields is None else frozenset(overlong_fields)
        self.zoneless_timestamps_utc = bool(zoneless_timestamps_utc)
        self.enum_case = bool(enum_case)
        self.unknown_enum = unknown_enum
        self.numbers_as_strings = bool(numbers_as_strings)
        self.null_optional = null_optional
        self.unknown_fields = unknown_fields

    @property
    def strict(self) -> bool:
        """True when no knob forgives anything."""
        return (
            self.overlong_strings == REJECT
            and not self.zoneless_timestamps_utc
            and not self.enum_case
            and self.unknown_enum == REJECT
            and not self.numbers_as_strings
            and self.null_optional == REJECT
            and self.unknown_fields == REJECT
        )

    def settings(self) -> "dict[str, Any]":
        """Every knob and its value."""
        out = {}
        for name in _KNOBS:
            out[name] = getattr(self, name)
        return out

    def replace(self, **changes: "Any") -> "QuirksPolicy":
        """A copy with some knobs changed: `policy.replace(enum_case=True)`."""
        settings = self.settings()
        for name in changes:
            if name not in settings:
                raise TypeError("unknown quirks knob " + repr(name))
            settings[name] = changes[name]
        return QuirksPolicy(**settings)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QuirksPolicy):
            return NotImplemented
        return self.settings() == other.settings()

    def __hash__(self) -> int:
        return hash(tuple([(k, v) for k, v in sorted(self.settings().items())]))

    def __repr__(self) -> str:
        changed = [k + "=" + repr(v) for k, v in self.settings().items() if v != _DEFAULTS[k]]
        return "QuirksPolicy(" + ", ".join(sorted(changed)) + ")"


def _check_choice(name: str, value: str, allowed: "tuple[str, ...]") -> None:
    if value not in allowed:
        raise ValueError(name + " must be one of " + ", ".join(allowed) + ", not " + repr(value))


_DEFAULTS = {
    "overlong_strings": REJECT,
    "overlong_fields": None,
    "zoneless_timestamps_utc": False,
    "enum_case": False,
    "unknown_enum": REJECT,
    "numbers_as_strings": False,
    "null_optional": REJECT,
    "unknown_fields": REJECT,
}

STRICT = QuirksPolicy()


class Fixup:
    """One change a QuirksPolicy made: where, by which knob, from what to what."""

    __slots__ = ("knob", "message", "new", "original", "path")

    def __init__(self, path: str, knob: str, original: "Any", new: "Any", message: str) -> None:
        self.path = path
        self.knob = knob
        self.original = original
        self.new = new  # DROPPED when the field was removed
        self.message = message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fixup):
            return NotImplemented
        return (
            self.path == other.path
            and self.knob == other.knob
            and self.original == other.original
            and self.new == other.new
            and self.message == other.message
        )

    def __hash__(self) -> int:
        return hash((self.path, self.knob, self.message))

    def __repr__(self) -> str:
        return (
            f"Fixup(path={self.path!r}, knob={self.knob!r}, original={self.original!r}, "
            f"new={self.new!r}, message={self.message!r})"
        )


def apply_quirks(
    validator: "Any", policy: "Optional[QuirksPolicy]", type_name: str, payload: "Any"
) -> "tuple[Any, list[Fixup], list[Violation]]":
    """(fixed copy of payload, fixups, violations left after fixing).

    With no policy or a strict one the payload is returned as it is (nothing to copy:
    it is not changed) together with its violations.
    """
    if policy is None or policy.strict:
        return payload, [], validator.validate(type_name, payload)
    root, defs = validator.schema_of(type_name)
    run = _FixRun(policy, defs)
    fixed = run.fix(root, payload, [], "", False)
    violations = validator.validate(type_name, fixed)
    if run.accepted:
        violations = [
            v for v in violations if not (v.kind == MAX_LENGTH and v.path in run.accepted)
        ]
    return fixed, run.fixups, violations


def _copy(value: "Any") -> "Any":
    if isinstance(value, dict):
        out = {}
        for key in value:
            out[key] = _copy(value[key])
        return out
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _number_from_string(text: str, integer: bool) -> "Any":
    """The JSON number `text` spells (int or float), or None if it is not one.
    Only JSON number syntax: no spaces, no "+", no "0x", no "1_000"."""
    n = len(text)
    i = 0
    if i < n and text[i] == "-":
        i += 1
    start = i
    while i < n and "0" <= text[i] <= "9":
        i += 1
    if i == start or (text[start] == "0" and i - start > 1):
        return None
    if i == n:
        return int(text)
    if integer:
        return None
    if text[i] == ".":
        i += 1
        start = i
        while i < n and "0" <= text[i] <= "9":
            i += 1
        if i == start:
            return None
    if i < n and text[i] in "eE":
        i += 1
        if i < n and text[i] in "+-":
            i += 1
        start = i
        while i < n and "0" <= text[i] <= "9":
            i += 1
        if i == start:
            return None
    if i != n:
        return None
    return float(text)


class _FixRun:
    def __init__(self, policy: QuirksPolicy, defs: "dict[str, Any]") -> None:
        self.policy = policy
        self.defs = defs
        self.fixups: list[Fixup] = []
        self.accepted: set[str] = set()  # paths of overlong strings let through
        self._by_name: dict[int, Any] = {}

    def note(self, keys: "list[Any]", knob: str, original: "Any", new: "Any", what: str) -> str:
        path = render_path(keys)
        self.fixups.append(Fixup(path, knob, original, new, what + " at " + path))
        return path

    def _properties(self, properties: "list[Any]") -> "dict[str, Any]":
        by_name = self._by_name.get(id(properties))
        if by_name is None:
            by_name = {}
            for name, sub in properties:
                by_name[name] = sub
            self._by_name[id(properties)] = by_name
        return by_name

    def fix(
        self, schema: "dict[str, Any]", value: "Any", keys: "list[Any]", field: str, optional: bool
    ) -> "Any":
        """The fixed copy of `value`, or DROPPED when the field should go."""
        ref = schema.get("ref")
        while ref is not None:
            schema = self.defs[ref]
            ref = schema.get("ref")
        json_type = schema.get("type")
        if isinstance(value, dict):
            if json_type == "object" or json_type is None:
                return self._fix_object(schema, value, keys)
            return _copy(value)
        if isinstance(value, list):
            items = schema.get("items")
            if items is None or json_type not in ("array", None):
                return _copy(value)
            out = []
            for index in range(len(value)):
                keys.append(index)
                out.append(self.fix(items, value[index], keys, field, False))
                keys.pop()
            return out
        if isinstance(value, str):
            if json_type in ("integer", "number") and self.policy.numbers_as_strings:
                number = _number_from_string(value, json_type == "integer")
                if number is not None:
                    self.note(keys, "numbers_as_strings", value, number, "read string as number")
                    return number
                return value
            if json_type == "string":
                return self._fix_string(schema, value, keys, field, optional)
        return value

    def _fix_object(
        self, schema: "dict[str, Any]", value: "dict[str, Any]", keys: "list[Any]"
    ) -> "dict[str, Any]":
        by_name = self._properties(schema.get("properties", ()))
        required = schema.get("required", ())
        closed = schema.get("additionalProperties", True) is False
        out = {}
        # Schema order, then unknown fields by name: the same fixups in the same order
        # on MicroPython, whose dicts do not keep insertion order.
        for name, sub in schema.get("properties", ()):
            if name not in value:
                continue
            item = value[name]
            keys.append(name)
            if item is None and name not in required and self.policy.null_optional == DROP:
                self.note(keys, "null_optional", None, DROPPED, "dropped null optional field")
            else:
                fixed = self.fix(sub, item, keys, name, name not in required)
                if fixed is not DROPPED:
                    out[name] = fixed
            keys.pop()
        unknown = [name for name in value if name not in by_name]
        unknown.sort()
        for name in unknown:
            item = value[name]
            if closed and self.policy.unknown_fields == DROP:
                keys.append(name)
                self.note(keys, "unknown_fields", item, DROPPED, "dropped unknown field")
                keys.pop()
            else:
                out[name] = _copy(item)
        return out

    def _fix_string(
        self, schema: "dict[str, Any]", value: str, keys: "list[Any]", field: str, optional: bool
    ) -> "Any":
        policy = self.policy
        allowed = schema.get("enum")
        if allowed is not None and value not in allowed:
            if policy.enum_case:
                lowered = value.lower()
                matches = [a for a in allowed if isinstance(a, str) and a.lower() == lowered]
                if len(matches) == 1:
                    self.note(keys, "enum_case", value, matches[0], "fixed enum case")
                    return matches[0]
            if policy.unknown_enum == DROP and optional:
                self.note(keys, "unknown_enum", value, DROPPED, "dropped unknown enum value")
                return DROPPED
            return value
        high = schema.get("maxLength")
        if high is not None and len(value) > high and policy.overlong_strings != REJECT:
            fields = policy.overlong_fields
            if fields is None or field in fields:
                what = str(len(value)) + " characters where at most " + str(high) + " are allowed"
                if policy.overlong_strings == TRUNCATE:
                    self.note(keys, "overlong_strings", value, value[:high], "truncated " + what)
                    return value[:high]
                path = self.note(keys, "overlong_strings", value, value, "accepted " + what)
                self.accepted.add(path)
                return value
        if (
            schema.get("format") == "date-time"
            and policy.zoneless_timestamps_utc
            and datetime_status(value) == DATETIME_NO_ZONE
        ):
            fixed = value + "Z"
            self.note(keys, "zoneless_timestamps_utc", value, fixed, "read zoneless time as UTC")
            return fixed
        return value
