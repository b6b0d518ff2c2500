"""ocpp_core.generic: one version-independent model for OCPP 1.6, 2.0.1 and 2.1.

CPython only (the model and the mappers use msgspec); MicroPython code keeps to the
typed-per-version API. Sans-IO: pure mapping, no clock, no I/O.

    mapper = mapper_for("1.6")           # one per connection: it holds 1.6 id state
    native = mapper.request_to_native(generic_request)
    generic = mapper.request_from_native(native_request)
    native_response = mapper.response_to_native(generic_request, generic_response)
    generic_response = mapper.response_from_native(generic_request, native_response)

The design, the per-version rules and the operation x version table: docs/generic.md.
"""

import sys

if sys.implementation.name != "cpython":  # pragma: no cover
    raise ImportError("ocpp_core.generic needs CPython (msgspec)")

from typing import Any

from ocpp_core.generic.errors import (
    NoGenericMapping,
    NotRepresentable,
    OperationNotAvailable,
    TooManyTransactions,
)
from ocpp_core.generic.mapping import OPERATIONS, Mapper, operation_of
from ocpp_core.generic.model import *  # noqa: F403
from ocpp_core.generic.model_2x import *  # noqa: F403
from ocpp_core.generic.model_extra import *  # noqa: F403
from ocpp_core.generic.model_profiles import *  # noqa: F403
from ocpp_core.generic.state import (
    OCA_CONFIGURATION_KEYS,
    ConfigurationKeys,
    ConnectorLayout,
    TransactionIds,
)
from ocpp_core.generic.v2x import Mapper21, Mapper201
from ocpp_core.generic.v16 import Mapper16
from ocpp_core.versions import V16, V21, V201

__all__ = [
    "OCA_CONFIGURATION_KEYS",
    "OPERATIONS",
    "ConfigurationKeys",
    "ConnectorLayout",
    "Mapper",
    "Mapper16",
    "Mapper21",
    "Mapper201",
    "NoGenericMapping",
    "NotRepresentable",
    "OperationNotAvailable",
    "TooManyTransactions",
    "TransactionIds",
    "mapper_for",
    "operation_of",
]


def mapper_for(version: str, **options: Any) -> Mapper:
    """A fresh mapper for one connection of `version` (options: see Mapper16)."""
    if version == V16:
        return Mapper16(**options)
    if options:
        raise TypeError(f"OCPP {version} mappers take no options")
    if version == V201:
        return Mapper201()
    if version == V21:
        return Mapper21()
    raise ValueError(f"unknown OCPP version {version!r}")
