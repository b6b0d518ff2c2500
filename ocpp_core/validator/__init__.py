"""The exact OCPP payload validator: pure Python, table driven, MicroPython safe.

It walks a decoded JSON payload (dict / list / str / int / float / bool / None) along
the reduced schemas of a generated `ocpp_core.vXX.schema.TYPES` table and names every
violation with its kind, the CALLERROR code in the version's spelling, a JSON path and
a sentence. Violations come in document order: the schema's property order first (a
missing required field is reported where the schema lists it), then the payload's
unexpected fields in name order (a MicroPython dict keeps no payload order).

    >>> v = Validator("1.6")
    >>> v.validate("BootNotificationRequest", {"chargePointVendor": "ACME"})[0].code
    'OccurenceConstraintViolation'

Deviations from a generic JSON-schema validator (see docs/error-codes.md):
- `FLOAT_IS_NEVER_INTEGER`: `1.0` is not an `integer` (draft-06 says it is).
- `MULTIPLE_OF_DECIMAL`: `multipleOf` is exact on the number as written (8.1 is a
  multiple of 0.1), where Python jsonschema divides binary floats and says no.
- NaN and infinities are not numbers (they are not JSON, RFC 8259 §6).
- A date-time or URI with a trailing newline is rejected (jsonschema's regex `$`
  lets one through).
"""

from ocpp_core.errors import Violation
from ocpp_core.validator.formats import (
    DATETIME_BAD,
    DATETIME_NO_ZONE,
    datetime_status,
    is_multiple_of_decimal,
    is_multiple_of_float,
    is_uri,
    number_text,
)
from ocpp_core.versions import (
    ADDITIONAL_PROPERTY,
    CODE_OF_KIND,
    ENUM,
    FORMAT,
    MAX_ITEMS,
    MAX_LENGTH,
    MAXIMUM,
    MIN_ITEMS,
    MIN_LENGTH,
    MINIMUM,
    MULTIPLE_OF,
    PAYLOAD_NOT_OBJECT,
    REQUIRED,
    TYPE,
    V16,
    V21,
    V201,
)

try:
    from typing import Any, Optional
except ImportError:  # MicroPython
    pass

# OCPP fields typed `integer` hold counts, ids and seconds: a float such as 1.0 is a
# different JSON token, and msgspec, most CSMS and the draft-04 schemas of 1.6 all
# refuse it. JSON Schema draft-06 (2.0.1 / 2.1 files) calls 1.0 an integer; we do not.
FLOAT_IS_NEVER_INTEGER = True

# True: `multipleOf` is decided exactly on the decimal digits of the number (what the
# OCPP text means: "at most one digit fraction, e.g. 8.1"). False: Python jsonschema's
# binary floating point verdict, which rejects 134 of the 401 values 0.0 .. 40.0 in
# steps of 0.1, including 8.1.
MULTIPLE_OF_DECIMAL = True

_MODULE_OF_VERSION = {V16: "v16", V201: "v201", V21: "v21"}

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def load_types(version: str) -> "dict[str, Any]":
    """The generated TYPES table of `version` (imported on first use)."""
    package = _MODULE_OF_VERSION.get(version)
    if package is None:
        raise ValueError("unknown OCPP version " + repr(version))
    module = __import__("ocpp_core." + package + ".schema", None, None, ["TYPES"], 0)
    types: dict[str, Any] = module.TYPES
    return types


def render_path(keys: "list[Any]") -> str:
    """JSON path of a list of keys: ["a", 0, "b"] -> "$.a[0].b"."""
    parts = ["$"]
    for key in keys:
        if isinstance(key, int):
            parts.append("[" + str(key) + "]")
        elif _is_plain_name(key):
            parts.append("." + key)
        else:
            parts.append("[" + _quote(key) + "]")
    return "".join(parts)


def _is_plain_name(key: str) -> bool:
    if not key:
        return False
    for c in key:
        if not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9" or c == "_"):
            return False
    return True


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def describe(value: "Any") -> str:
    """A short phrase naming a JSON value: "an integer (12)", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean (" + ("true" if value else "false") + ")"
    if isinstance(value, int):
        return "an integer (" + _short(str(value)) + ")"
    if isinstance(value, float):
        return "a number (" + _short(number_text(value)) + ")"
    if isinstance(value, str):
        return "a string (" + _short(_quote(value)) + ")"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a " + type(value).__name__


def _items(count: int) -> str:
    return str(count) + (" item" if count == 1 else " items")


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def is_type(json_type: str, value: "Any") -> bool:
    """Does `value` have JSON type `json_type`? bool is never an integer or number
    (checked first: `isinstance(True, int)` is True on CPython, False on MicroPython)."""
    if isinstance(value, bool):
        return json_type == "boolean"
    if json_type == "string":
        return isinstance(value, str)
    if json_type == "object":
        return isinstance(value, dict)
    if json_type == "array":
        return isinstance(value, list)
    if json_type == "integer":
        if isinstance(value, int):
            return True
        if isinstance(value, float) and not FLOAT_IS_NEVER_INTEGER:
            return _finite(value) and value == int(value)
        return False
    if json_type == "number":
        if isinstance(value, int):
            return True
        return isinstance(value, float) and _finite(value)
    if json_type == "null":
        return value is None
    return False


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


class Validator:
    """Validates payloads of one OCPP version against its TYPES table.

    `Validator(version)` loads `ocpp_core.vXX.schema.TYPES`; pass `types=` to use
    another table (tests, a subset). `quirks` is a `QuirksPolicy` used by `fix()`.
    """

    def __init__(
        self,
        version: str,
        types: "Optional[dict[str, Any]]" = None,
        quirks: "Any" = None,
    ) -> None:
        codes = CODE_OF_KIND.get(version)
        if codes is None:
            raise ValueError("unknown OCPP version " + repr(version))
        self.version = version
        self.codes = codes
        self.types = load_types(version) if types is None else types
        self.quirks = quirks
        self._names: dict[int, Any] = {}  # id(properties list) -> set of names

    def schema_of(self, type_name: str) -> "tuple[dict[str, Any], dict[str, Any]]":
        """(root schema, definitions) of a type; ValueError if it is unknown."""
        entry = self.types.get(type_name)
        if entry is None:
            raise ValueError("unknown type " + repr(type_name) + " in OCPP " + self.version)
        return entry[0], entry[1]

    def validate(self, type_name: str, payload: "Any") -> "list[Violation]":
        """Every violation of `payload` against type `type_name`, in document order.
        An empty list means the payload is valid."""
        root, defs = self.schema_of(type_name)
        out: list[Violation] = []
        if not isinstance(payload, dict):
            out.append(
                Violation(
                    PAYLOAD_NOT_OBJECT,
                    self.codes[PAYLOAD_NOT_OBJECT],
                    "$",
                    "expected the payload to be a JSON object, got " + describe(payload),
                )
            )
            return out
        self._check(root, defs, payload, [], out)
        return out

    def is_valid(self, type_name: str, payload: "Any") -> bool:
        return not self.validate(type_name, payload)

    def validate_value(
        self, schema: "dict[str, Any]", defs: "dict[str, Any]", value: "Any"
    ) -> "list[Violation]":
        """Validate any JSON value against a reduced schema (paths start at `$`)."""
        out: list[Violation] = []
        self._check(schema, defs, value, [], out)
        return out

    def fix(self, type_name: str, payload: "Any") -> "tuple[Any, list[Any], list[Violation]]":
        """Apply this validator's QuirksPolicy: (fixed copy, fixups, violations left).
        Without a policy (strict) nothing is fixed."""
        from ocpp_core.quirks import apply_quirks

        return apply_quirks(self, self.quirks, type_name, payload)

    # -- the walk -----------------------------------------------------------------

    def violation(self, kind: str, keys: "list[Any]", message: str) -> Violation:
        """A Violation of `kind` at `keys`; the first "{path}" in `message` becomes
        the JSON path (the rest of the message may quote payload text)."""
        path = render_path(keys)
        at = message.find("{path}")
        if at >= 0:
            message = message[:at] + path + message[at + 6 :]
        return Violation(kind, self.codes[kind], path, message)

    def _check(
        self,
        schema: "dict[str, Any]",
        defs: "dict[str, Any]",
        value: "Any",
        keys: "list[Any]",
        out: "list[Violation]",
    ) -> None:
        ref = schema.get("ref")
        while ref is not None:
            schema = defs[ref]
            ref = schema.get("ref")
        json_type = schema.get("type")
        if json_type is not None and not (
            is_type(json_type, value)
            if json_type.__class__ is str
            else self._type_ok(json_type, value)
        ):
            out.append(self._type_violation(json_type, value, keys))
            return
        if isinstance(value, dict):
            self._check_object(schema, defs, value, keys, out)
        elif isinstance(value, list):
            self._check_array(schema, defs, value, keys, out)
        elif isinstance(value, str):
            self._check_string(schema, value, keys, out)
        elif isinstance(value, bool) or value is None:
            self._check_enum(schema, value, keys, out)
        elif isinstance(value, (int, float)):
            self._check_number(schema, value, keys, out)

    def _type_ok(self, json_type: "Any", value: "Any") -> bool:
        if isinstance(json_type, str):
            return is_type(json_type, value)
        for one in json_type:
            if is_type(one, value):
                return True
        return False

    def _type_violation(self, json_type: "Any", value: "Any", keys: "list[Any]") -> Violation:
        if isinstance(json_type, str):
            wanted = _TYPE_WORDS.get(json_type, json_type)
        else:
            wanted = " or ".join([_TYPE_WORDS.get(t, t) for t in json_type])
        message = "expected " + wanted + " at {path}, got " + describe(value)
        if value is None and self.version != V16:
            message += (
                " (in OCPP 2.x an optional field without a value is left out, not sent as null)"
            )
        return self.violation(TYPE, keys, message)

    def _names_of(self, properties: "list[Any]") -> "Any":
        names = self._names.get(id(properties))
        if names is None:
            names = set([pair[0] for pair in properties])
            self._names[id(properties)] = names
        return names

    def _check_object(
        self,
        schema: "dict[str, Any]",
        defs: "dict[str, Any]",
        value: "dict[str, Any]",
        keys: "list[Any]",
        out: "list[Violation]",
    ) -> None:
        properties = schema.get("properties", ())
        required = schema.get("required", ())
        for name, sub in properties:
            if name in value:
                keys.append(name)
                self._check(sub, defs, value[name], keys, out)
                keys.pop()
            elif name in required:
                keys.append(name)
                out.append(self.violation(REQUIRED, keys, "missing required field {path}"))
                keys.pop()
        names = self._names_of(properties)
        for name in required:
            if name not in names and name not in value:
                keys.append(name)
                out.append(self.violation(REQUIRED, keys, "missing required field {path}"))
                keys.pop()
        extra = schema.get("additionalProperties", True)
        if extra is True:
            return
        # Unexpected fields in name order, not payload order: a MicroPython dict does
        # not keep insertion order, and both interpreters must report the same first
        # violation (tests/micropython/validator_cases.py compares them).
        unexpected = [name for name in value if name not in names]
        unexpected.sort()
        for name in unexpected:
            keys.append(name)
            if extra is False:
                out.append(
                    self.violation(
                        ADDITIONAL_PROPERTY, keys, "unexpected field {path} (not in the schema)"
                    )
                )
            else:
                self._check(extra, defs, value[name], keys, out)
            keys.pop()

    def _check_array(
        self,
        schema: "dict[str, Any]",
        defs: "dict[str, Any]",
        value: "list[Any]",
        keys: "list[Any]",
        out: "list[Violation]",
    ) -> None:
        count = len(value)
        low = schema.get("minItems")
        if low is not None and count < low:
            out.append(
                self.violation(
                    MIN_ITEMS,
                    keys,
                    "expected at least " + _items(low) + " at {path}, got " + str(count),
                )
            )
        high = schema.get("maxItems")
        if high is not None and count > high:
            out.append(
                self.violation(
                    MAX_ITEMS,
                    keys,
                    "expected at most " + _items(high) + " at {path}, got " + str(count),
                )
            )
        items = schema.get("items")
        if items is None:
            return
        for index in range(count):
            keys.append(index)
            self._check(items, defs, value[index], keys, out)
            keys.pop()

    def _check_enum(
        self, schema: "dict[str, Any]", value: "Any", keys: "list[Any]", out: "list[Violation]"
    ) -> bool:
        allowed = schema.get("enum")
        if allowed is None:
            return True
        if value.__class__ is str and value in allowed:  # the common case, one C call
            return True
        for one in allowed:
            # exact: case counts, and True is not 1 ("1" == 1 is already False)
            if one == value and isinstance(one, bool) == isinstance(value, bool):
                return True
        shown = ", ".join([_quote(a) if isinstance(a, str) else repr(a) for a in allowed[:12]])
        if len(allowed) > 12:
            shown += ", ... (" + str(len(allowed)) + " values)"
        out.append(
            self.violation(
                ENUM, keys, "expected one of " + shown + " at {path}, got " + describe(value)
            )
        )
        return False

    def _check_string(
        self, schema: "dict[str, Any]", value: str, keys: "list[Any]", out: "list[Violation]"
    ) -> None:
        if not self._check_enum(schema, value, keys, out):
            return
        high = schema.get("maxLength")
        if high is not None and len(value) > high:
            out.append(
                self.violation(
                    MAX_LENGTH,
                    keys,
                    "expected a string of at most "
                    + str(high)
                    + " characters at {path}, got "
                    + str(len(value))
                    + " characters",
                )
            )
            return
        low = schema.get("minLength")
        if low is not None and len(value) < low:
            out.append(
                self.violation(
                    MIN_LENGTH,
                    keys,
                    "expected a string of at least "
                    + str(low)
                    + " characters at {path}, got "
                    + str(len(value))
                    + " characters",
                )
            )
            return
        fmt = schema.get("format")
        if fmt == "date-time":
            status = datetime_status(value)
            if status == DATETIME_BAD:
                out.append(
                    self.violation(
                        FORMAT,
                        keys,
                        "expected an RFC 3339 date-time (e.g. 2025-01-31T12:00:00Z) at {path}, got "
                        + describe(value),
                    )
                )
            elif status == DATETIME_NO_ZONE:
                out.append(
                    self.violation(
                        FORMAT,
                        keys,
                        "expected an RFC 3339 date-time with a time zone (Z or +HH:MM) at {path}, got "
                        + describe(value),
                    )
                )
        elif fmt == "uri" and not is_uri(value):
            out.append(
                self.violation(
                    FORMAT,
                    keys,
                    "expected an absolute URI (RFC 3986, e.g. ftp://host/path) at {path}, got "
                    + describe(value),
                )
            )

    def _check_number(
        self,
        schema: "dict[str, Any]",
        value: "int | float",
        keys: "list[Any]",
        out: "list[Violation]",
    ) -> None:
        if not self._check_enum(schema, value, keys, out):
            return
        step = schema.get("multipleOf")
        if step is not None:
            if MULTIPLE_OF_DECIMAL:
                ok = is_multiple_of_decimal(value, step)
            else:
                ok = is_multiple_of_float(value, step)
            if not ok:
                out.append(
                    self.violation(
                        MULTIPLE_OF,
                        keys,
                        "expected a multiple of "
                        + number_text(step)
                        + " at {path}, got "
                        + describe(value),
                    )
                )
        if "minimum" in schema or "exclusiveMinimum" in schema:
            self._check_bound(schema, value, keys, out, "minimum", "exclusiveMinimum")
        if "maximum" in schema or "exclusiveMaximum" in schema:
            self._check_bound(schema, value, keys, out, "maximum", "exclusiveMaximum")

    def _check_bound(
        self,
        schema: "dict[str, Any]",
        value: "int | float",
        keys: "list[Any]",
        out: "list[Violation]",
        inclusive_key: str,
        exclusive_key: str,
    ) -> None:
        lower = inclusive_key == "minimum"
        bound = schema.get(inclusive_key)
        exclusive = schema.get(exclusive_key)
        strict = False
        if exclusive is True:  # draft-04: a boolean that turns `minimum` exclusive
            strict = True
        elif exclusive is not None and exclusive is not False:  # draft-06: its own bound
            bound_failed = value <= exclusive if lower else value >= exclusive
            if bound_failed:
                self._bound_violation(lower, True, exclusive, value, keys, out)
                return
        if bound is None:
            return
        if lower:
            failed = value <= bound if strict else value < bound
        else:
            failed = value >= bound if strict else value > bound
        if failed:
            self._bound_violation(lower, strict, bound, value, keys, out)

    def _bound_violation(
        self,
        lower: bool,
        strict: bool,
        bound: "Any",
        value: "Any",
        keys: "list[Any]",
        out: "list[Violation]",
    ) -> None:
        sign = (">" if lower else "<") + ("" if strict else "=")
        out.append(
            self.violation(
                MINIMUM if lower else MAXIMUM,
                keys,
                "expected a number "
                + sign
                + " "
                + number_text(bound)
                + " at {path}, got "
                + describe(value),
            )
        )


def validate(
    types: "dict[str, Any]", type_name: str, value: "Any", version: str
) -> "list[Violation]":
    """One-shot form of `Validator(version, types).validate(type_name, value)`."""
    return Validator(version, types).validate(type_name, value)
