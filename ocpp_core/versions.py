"""OCPP versions, subprotocol names, roles, CALLERROR codes and violation kinds.

Pure data, MicroPython safe. A *violation kind* is a version-neutral name for what
is wrong with a frame or payload; `code_for(version, kind)` turns it into the
CALLERROR code in that version's spelling (1.6 keeps the misspellings
`OccurenceConstraintViolation` and `FormationViolation`, OCPP-J 1.6 errata §5.1/§5.2).
Why each kind gets its code is written down in docs/error-codes.md.
"""

try:
    from typing import Final
except ImportError:  # MicroPython: annotations are never evaluated
    pass

V16: "Final" = "1.6"
V201: "Final" = "2.0.1"
V21: "Final" = "2.1"
VERSIONS = (V16, V201, V21)

SUBPROTOCOLS = {V16: "ocpp1.6", V201: "ocpp2.0.1", V21: "ocpp2.1"}
VERSION_OF_SUBPROTOCOL = {"ocpp1.6": V16, "ocpp2.0.1": V201, "ocpp2.1": V21}

# Roles, and the sender value of an action both roles may send (DataTransfer).
STATION: "Final" = "station"
CSMS: "Final" = "csms"
BOTH: "Final" = "both"
ROLES = (STATION, CSMS)

# ---------------------------------------------------------------------------
# CALLERROR codes (OCPP-J 1.6 Table 7; OCPP 2.0.1 Part 4 Table 8; 2.1 Table 9)
NOT_IMPLEMENTED = "NotImplemented"
NOT_SUPPORTED = "NotSupported"
INTERNAL_ERROR = "InternalError"
PROTOCOL_ERROR = "ProtocolError"
SECURITY_ERROR = "SecurityError"
FORMATION_VIOLATION = "FormationViolation"  # 1.6 only
FORMAT_VIOLATION = "FormatViolation"  # 2.x only
PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
OCCURENCE_CONSTRAINT_VIOLATION = "OccurenceConstraintViolation"  # 1.6 only (sic)
OCCURRENCE_CONSTRAINT_VIOLATION = "OccurrenceConstraintViolation"  # 2.x only
TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"
GENERIC_ERROR = "GenericError"
MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"  # 2.x only
RPC_FRAMEWORK_ERROR = "RpcFrameworkError"  # 2.x only

_COMMON_CODES = (
    NOT_IMPLEMENTED,
    NOT_SUPPORTED,
    INTERNAL_ERROR,
    PROTOCOL_ERROR,
    SECURITY_ERROR,
    PROPERTY_CONSTRAINT_VIOLATION,
    TYPE_CONSTRAINT_VIOLATION,
    GENERIC_ERROR,
)
# (tuple concatenation on purpose: MicroPython has no `(*a, b)` unpacking)
_CODES_2X = frozenset(
    _COMMON_CODES  # noqa: RUF005
    + (
        FORMAT_VIOLATION,
        OCCURRENCE_CONSTRAINT_VIOLATION,
        MESSAGE_TYPE_NOT_SUPPORTED,
        RPC_FRAMEWORK_ERROR,
    )
)
ERROR_CODES = {
    V16: frozenset(_COMMON_CODES + (FORMATION_VIOLATION, OCCURENCE_CONSTRAINT_VIOLATION)),  # noqa: RUF005
    V201: _CODES_2X,
    V21: _CODES_2X,
}

# ---------------------------------------------------------------------------
# Violation kinds (version neutral). Envelope kinds first, then payload kinds.
NOT_JSON = "not-json"  # the text is not JSON and no message id could be read
NOT_JSON_ID = "not-json-id"  # not JSON, but a message id could be salvaged
FRAME = "frame"  # the RPC envelope is malformed (shape, id, action, error fields)
MESSAGE_TYPE = "message-type"  # unknown message type number
UNMATCHED_RESPONSE = "unmatched-response"  # a reply nobody asked for
DUPLICATE_ID = "duplicate-id"  # a CALL whose id is already being handled
UNKNOWN_ACTION = "unknown-action"  # action not known (any case difference included)
ACTION_NOT_SUPPORTED = "action-not-supported"  # known action this role never handles
PAYLOAD_NOT_OBJECT = "payload-not-object"
REQUIRED = "required"
TYPE = "type"
MAX_LENGTH = "max-length"
MIN_LENGTH = "min-length"
ENUM = "enum"
ADDITIONAL_PROPERTY = "additional-property"
MIN_ITEMS = "min-items"
MAX_ITEMS = "max-items"
MINIMUM = "minimum"  # also exclusiveMinimum
MAXIMUM = "maximum"  # also exclusiveMaximum
FORMAT = "format"  # date-time, uri
MULTIPLE_OF = "multiple-of"

ENVELOPE_KINDS = (NOT_JSON, NOT_JSON_ID, FRAME, MESSAGE_TYPE, UNMATCHED_RESPONSE, DUPLICATE_ID)
PAYLOAD_KINDS = (
    PAYLOAD_NOT_OBJECT,
    REQUIRED,
    TYPE,
    MAX_LENGTH,
    MIN_LENGTH,
    ENUM,
    ADDITIONAL_PROPERTY,
    MIN_ITEMS,
    MAX_ITEMS,
    MINIMUM,
    MAXIMUM,
    FORMAT,
    MULTIPLE_OF,
)
KINDS = ENVELOPE_KINDS + (UNKNOWN_ACTION, ACTION_NOT_SUPPORTED) + PAYLOAD_KINDS  # noqa: RUF005

# Kind -> code, the parts every version shares (reasons: docs/error-codes.md).
_SHARED = (
    (UNKNOWN_ACTION, NOT_IMPLEMENTED),
    (ACTION_NOT_SUPPORTED, NOT_SUPPORTED),
    (PAYLOAD_NOT_OBJECT, TYPE_CONSTRAINT_VIOLATION),
    (TYPE, TYPE_CONSTRAINT_VIOLATION),
    (MAX_LENGTH, TYPE_CONSTRAINT_VIOLATION),
    (MIN_LENGTH, TYPE_CONSTRAINT_VIOLATION),
    (FORMAT, TYPE_CONSTRAINT_VIOLATION),
    (ENUM, PROPERTY_CONSTRAINT_VIOLATION),
    (MINIMUM, PROPERTY_CONSTRAINT_VIOLATION),
    (MAXIMUM, PROPERTY_CONSTRAINT_VIOLATION),
    (MULTIPLE_OF, PROPERTY_CONSTRAINT_VIOLATION),
)


def _table(pairs: "tuple[tuple[str, str], ...]") -> "dict[str, str]":
    table = {}
    for kind, code in _SHARED + pairs:
        table[kind] = code
    return table


CODE_OF_KIND = {
    # 1.6 has no RPC-level code: every envelope error is FormationViolation.
    V16: _table(
        (
            (NOT_JSON, FORMATION_VIOLATION),
            (NOT_JSON_ID, FORMATION_VIOLATION),
            (FRAME, FORMATION_VIOLATION),
            (MESSAGE_TYPE, FORMATION_VIOLATION),
            (UNMATCHED_RESPONSE, FORMATION_VIOLATION),
            (DUPLICATE_ID, FORMATION_VIOLATION),
            (REQUIRED, OCCURENCE_CONSTRAINT_VIOLATION),
            (MIN_ITEMS, OCCURENCE_CONSTRAINT_VIOLATION),
            (MAX_ITEMS, OCCURENCE_CONSTRAINT_VIOLATION),
            (ADDITIONAL_PROPERTY, FORMATION_VIOLATION),
        )
    ),
}
CODE_OF_KIND[V201] = _table(
    (
        (NOT_JSON, RPC_FRAMEWORK_ERROR),
        (NOT_JSON_ID, FORMAT_VIOLATION),
        (FRAME, RPC_FRAMEWORK_ERROR),
        (MESSAGE_TYPE, MESSAGE_TYPE_NOT_SUPPORTED),
        (UNMATCHED_RESPONSE, RPC_FRAMEWORK_ERROR),
        (DUPLICATE_ID, RPC_FRAMEWORK_ERROR),
        (REQUIRED, OCCURRENCE_CONSTRAINT_VIOLATION),
        (MIN_ITEMS, OCCURRENCE_CONSTRAINT_VIOLATION),
        (MAX_ITEMS, OCCURRENCE_CONSTRAINT_VIOLATION),
        (ADDITIONAL_PROPERTY, FORMAT_VIOLATION),
    )
)
CODE_OF_KIND[V21] = CODE_OF_KIND[V201]

# The id a 2.x CALLERROR carries when the id of the bad message is unreadable
# (OCPP 2.0.1 Part 4 §4.2.3).
UNREADABLE_ID_2X = "-1"


def code_for(version: str, kind: str) -> str:
    """The CALLERROR code for a violation kind, in `version`'s spelling."""
    table = CODE_OF_KIND.get(version)
    if table is None:
        raise ValueError("unknown OCPP version " + repr(version))
    code = table.get(kind)
    if code is None:
        raise ValueError("unknown violation kind " + repr(kind))
    return code


def is_error_code(version: str, code: str) -> bool:
    """True when `code` is a CALLERROR code of `version` (exact spelling)."""
    return code in ERROR_CODES[version]
