"""Table-driven generic <-> OCPP 2.0.1 / 2.1 mapping for the generated operations.

The generated model (`model_2x`, `model_profiles`) is the union of the two 2.x schemas,
field for field, so mapping is renaming: `WIRE_FIELDS` gives, per generic class, the
wire name of each attribute, the versions that have it and the nested generic class.
`msgspec.convert` into the typed message then checks everything else (enums, lengths,
bounds, and the fields the version requires: a missing one is `NotRepresentable` naming
its JSON path).

What is never silently dropped: a field set in the generic message that the target
version lacks (a 2.1-only field sent to a 2.0.1 peer) is refused here, with its generic
path, before the typed message is built. The one exception is `v16_*` fields (1.6
details with no 2.x counterpart), ignored as everywhere in the generic model.
"""

from collections.abc import Mapping
from functools import partialmethod
from typing import Any

from ocpp_core.generic.base import GenericStruct
from ocpp_core.generic.errors import NotRepresentable
from ocpp_core.generic.mapping import Mapper, Wire, operation_of
from ocpp_core.generic.model_2x import INT_IN_201, OPERATIONS_2X, WIRE_FIELDS
from ocpp_core.versions import V201

# When given, `only` replaces the version check: class -> attributes the target has
# (the 1.6 charging profile mapping uses it for schedules and periods).
Only = Mapping[type, frozenset[str]]


def struct_out(
    value: GenericStruct, version: str, operation: str, path: str = "", only: "Only | None" = None
) -> Wire:
    """The wire dict of a generic struct for `version` (refusing fields it lacks)."""
    cls = type(value)
    table = WIRE_FIELDS.get(cls)
    if table is None:
        raise TypeError(f"{cls.__name__} has no wire table")
    ints = INT_IN_201.get(cls, ()) if version == V201 else ()
    allowed = None if only is None else only.get(cls, frozenset())
    wire: Wire = {}
    known = {"native"}
    for attr, name, versions, _nested in table:
        known.add(attr)
        item = getattr(value, attr)
        if item is None:
            continue
        where = f"{path}.{attr}" if path else attr
        if (version not in versions) if allowed is None else (attr not in allowed):
            raise NotRepresentable(operation, version, where, f"not in OCPP {version}")
        if attr in ints and isinstance(item, float) and item.is_integer():
            item = int(item)  # an integer in 2.0.1; a fraction fails in msgspec
        wire[name] = _value_out(item, version, operation, where, only)
    for attr in cls.__struct_fields__:
        # A field of a hand-written class the 2.x schemas lack (none so far but v16_*).
        if attr not in known and not attr.startswith("v16_") and getattr(value, attr) is not None:
            where = f"{path}.{attr}" if path else attr
            raise NotRepresentable(operation, version, where, f"not in OCPP {version}")
    return wire


def _value_out(item: Any, version: str, operation: str, path: str, only: "Only | None") -> Any:
    if isinstance(item, GenericStruct):
        return struct_out(item, version, operation, path, only)
    if isinstance(item, list):
        return [
            _value_out(element, version, operation, f"{path}[{index}]", only)
            for index, element in enumerate(item)
        ]
    return item


def struct_in(cls: type, wire: Wire) -> Any:
    """The generic struct `cls` of a wire dict (customData stays in `native`)."""
    floats = INT_IN_201.get(cls, ())
    values: dict[str, Any] = {}
    for attr, name, _versions, nested in WIRE_FIELDS[cls]:
        if name not in wire:
            continue
        item = wire[name]
        if nested is not None:
            if isinstance(item, list):
                item = [struct_in(nested, element) for element in item]
            else:
                item = struct_in(nested, item)
        elif attr in floats:
            item = float(item)
        values[attr] = item
    return cls(**values)


def optional_in(cls: type, wire: "Wire | None") -> Any:
    return None if wire is None else struct_in(cls, wire)


class PassthroughMapping2x(Mapper):
    """A mixin of Mapper2x: the `_out_` / `_in_` / `_reply_*` methods of every
    generated operation (installed below, one set per operation)."""

    PASSTHROUGH_ACTIONS: dict[str, tuple[str, ...]] = {op: (op,) for op in OPERATIONS_2X}

    def _pass_out(self, request: GenericStruct) -> "tuple[str, Wire]":
        operation = operation_of(request)
        return operation, struct_out(request, self.version, operation)

    def _pass_in(self, cls: type, wire: Wire) -> Any:
        return struct_in(cls, wire)

    def _pass_reply_out(self, request: Any, response: GenericStruct) -> Wire:
        return struct_out(response, self.version, operation_of(request))

    def _pass_reply_in(self, cls: type, request: Any, wire: Wire) -> Any:
        return struct_in(cls, wire)


for _operation, (_request, _response) in OPERATIONS_2X.items():
    setattr(PassthroughMapping2x, "_out_" + _operation, PassthroughMapping2x._pass_out)
    setattr(
        PassthroughMapping2x,
        "_in_" + _operation,
        partialmethod(PassthroughMapping2x._pass_in, _request),
    )
    setattr(PassthroughMapping2x, "_reply_out_" + _operation, PassthroughMapping2x._pass_reply_out)
    setattr(
        PassthroughMapping2x,
        "_reply_in_" + _operation,
        partialmethod(PassthroughMapping2x._pass_reply_in, _response),
    )
