"""Write the generated part of the generic model (``ocpp_core/generic/model_*.py``).

The generic model (docs/generic.md) is hand-written for the operations whose versions
differ in shape. The operations whose 2.0.1 and 2.1 shapes agree in spirit (the 2.x-only
ones, and the 2.x side of the charging profile operations) are generated here from the
schemas, shaped as the UNION of the two versions:

- one class per 2.x definition (``ChargingProfileType`` -> ``ChargingProfile``) and per
  message (``<Operation>Request`` / ``<Operation>Response``, with ``native``);
- snake_case field names (``limit_L2`` -> ``limit_l2``; builtins such as ``type`` stay);
- a field required in both versions is required; otherwise ``X | None = None`` and a
  comment names the version(s) carrying or requiring it;
- enums are plain ``str``, date-times ``datetime.datetime``, integer-vs-number ``float``;
- ``customData`` is left out (it stays reachable through ``native``).

Definitions the hand-written model already has (``IdToken``, ``Component``, ``Evse``, ...)
are reused, not generated again: the generator checks, by parsing the hand-written
modules, that the reused class has every union field, and refuses a generated class
named like a hand-written one. ``WIRE_FIELDS`` (attribute, wire name, versions, nested
class) drives ``ocpp_core.generic.passthrough``.

Two files: ``model_profiles.py`` holds the charging profile / schedule types (they use
no hand-written type, so ``model.py`` can import them for RequestStartTransaction),
``model_2x.py`` everything else and the tables.
"""

import ast
import json
import keyword
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .emit_messages import CUSTOM_DATA_DEF, _all_key
from .emit_schema import lit
from .loader import CodegenError, SchemaFile
from .naming import class_name, snake

V201, V21 = "2.0.1", "2.1"
VERSIONS_2X = (V201, V21)

# Operations present in 2.0.1 and 2.1 but not in 1.6: generated model, table-driven
# mapping, OperationNotAvailable in 1.6.
OPERATIONS_2X_ONLY = (
    "ClearDisplayMessage",
    "ClearVariableMonitoring",
    "ClearedChargingLimit",
    "CostUpdated",
    "CustomerInformation",
    "Get15118EVCertificate",
    "GetBaseReport",
    "GetCertificateStatus",
    "GetChargingProfiles",
    "GetDisplayMessages",
    "GetMonitoringReport",
    "GetReport",
    "NotifyChargingLimit",
    "NotifyCustomerInformation",
    "NotifyDisplayMessages",
    "NotifyEVChargingNeeds",
    "NotifyEVChargingSchedule",
    "NotifyEvent",
    "NotifyMonitoringReport",
    "NotifyReport",
    "PublishFirmware",
    "PublishFirmwareStatusNotification",
    "ReportChargingProfiles",
    "ReservationStatusUpdate",
    "SetDisplayMessage",
    "SetMonitoringBase",
    "SetMonitoringLevel",
    "SetNetworkProfile",
    "SetVariableMonitoring",
    "UnpublishFirmware",
)
# In all three versions: generated model and 2.x mapping; 1.6 mapped by hand
# (ocpp_core/generic/v16_profiles.py).
OPERATIONS_ALL = ("GetCompositeSchedule", "SetChargingProfile")
OPERATIONS = OPERATIONS_2X_ONLY + OPERATIONS_ALL

# Class name -> (hand-written module, class) reused instead of generated.
REUSED = {
    "AdditionalInfo": ("model", "AdditionalInfo"),
    "CertificateHashData": ("model_extra", "CertificateHashData"),
    "Component": ("model", "Component"),
    "EVSE": ("model", "Evse"),
    "IdToken": ("model", "IdToken"),
    "MessageContent": ("model", "MessageContent"),
    "StatusInfo": ("model", "StatusInfo"),
    "Variable": ("model", "Variable"),
}
HAND_WRITTEN = ("model", "model_extra")

# Roots of model_profiles.py (with every type they use).
PROFILE_ROOTS = ("ChargingProfile", "CompositeSchedule")

# Fields optional here although both 2.x versions require them, because the 1.6
# carrier lacks them (mapping to 2.x with None: NotRepresentable, by msgspec).
OPTIONAL_FOR_16 = {
    "ChargingSchedule": ("id",),
    "CompositeSchedule": (
        "evseId",
        "duration",
        "scheduleStart",
        "chargingRateUnit",
        "chargingSchedulePeriod",
    ),
}
# 1.6-only details, kept so a 1.6 message maps back unchanged; ignored by 2.x.
V16_FIELDS = {
    "CompositeSchedule": (
        ("v16_start_schedule", "datetime.datetime", "chargingSchedule.startSchedule"),
        ("v16_min_charging_rate", "float", "chargingSchedule.minChargingRate"),
    ),
}


def attr_name(wire: str) -> str:
    """snake_case like the typed messages, but builtins (`type`, `id`, `format`) stay
    as they are, as in the hand-written generic model; keywords get a trailing "_"."""
    name = snake(wire)
    if name.endswith("_") and not keyword.iskeyword(name[:-1]):
        name = name[:-1]
    return name


# A field kind: ("str",), ("int",), ("float",), ("bool",), ("datetime",), ("any",),
# ("struct", class), ("list", kind).
Kind = tuple[Any, ...]


@dataclass
class UnionField:
    wire: str
    kinds: dict[str, Kind] = field(default_factory=dict)  # version -> kind
    required: dict[str, bool] = field(default_factory=dict)  # version -> required

    def kind(self, where: str) -> Kind:
        found: Kind | None = None
        for kind in self.kinds.values():
            found = kind if found is None else _merge(found, kind, where)
        assert found is not None
        return found


@dataclass
class UnionStruct:
    name: str
    origins: dict[str, str] = field(default_factory=dict)  # version -> definition
    fields: dict[str, UnionField] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # version -> canonical schema


def _merge(a: Kind, b: Kind, where: str) -> Kind:
    if a == b:
        return a
    if {a[0], b[0]} == {"int", "float"}:
        return ("float",)
    if a[0] == b[0] == "list":
        return ("list", _merge(a[1], b[1], where))
    raise CodegenError(f"{where}: 2.0.1 and 2.1 types differ: {a} / {b}")


class _Collector:
    def __init__(self) -> None:
        self.structs: dict[str, UnionStruct] = {}

    def struct(self, name: str, origin: str, schema: dict[str, Any], f: SchemaFile) -> str:
        if schema.get("type") != "object" or set(schema) - {
            "type",
            "properties",
            "required",
            "additionalProperties",
        }:
            raise CodegenError(f"{f.rel_path} {origin}: unsupported object schema")
        entry = self.structs.setdefault(name, UnionStruct(name))
        canonical = json.dumps(schema, sort_keys=True)
        old = entry.seen.get(f.version)
        if old is not None:
            if old != canonical:
                raise CodegenError(f"{f.version} {name}: one name, different schemas")
            return name
        entry.seen[f.version] = canonical
        entry.origins[f.version] = origin or f.type_name
        required = set(schema.get("required", ()))
        for wire, sub in schema.get("properties", []):
            if wire == "customData":
                continue
            where = f"{f.rel_path} {name}.{wire}"
            union = entry.fields.setdefault(wire, UnionField(wire))
            union.kinds[f.version] = self.kind(sub, f, where)
            union.required[f.version] = wire in required
        return name

    def kind(self, sub: dict[str, Any], f: SchemaFile, where: str) -> Kind:
        if "ref" in sub:
            target = sub["ref"]
            if target == CUSTOM_DATA_DEF:
                raise CodegenError(f"{where}: customData outside its usual place")
            schema = f.defs[target]
            if "enum" in schema:
                return ("str",)
            return ("struct", self.struct(class_name(target), target, schema, f))
        if "enum" in sub:
            return ("str",)
        if not sub:
            return ("any",)
        typ = sub.get("type")
        if typ == "array":
            return ("list", self.kind(sub["items"], f, where))
        if typ == "string":
            return ("datetime",) if sub.get("format") == "date-time" else ("str",)
        if typ == "integer":
            return ("int",)
        if typ == "number":
            return ("float",)
        if typ == "boolean":
            return ("bool",)
        raise CodegenError(f"{where}: unsupported schema {sorted(sub)}")


def _hand_written(repo: Path) -> dict[str, set[str]]:
    """Class name -> field names of the hand-written generic modules (parsed, not imported:
    the generator must run even when the generated files are broken)."""
    out: dict[str, set[str]] = {}
    for module in HAND_WRITTEN:
        tree = ast.parse((repo / f"ocpp_core/generic/{module}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                out[node.name] = {
                    item.target.id
                    for item in node.body
                    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                }
    return out


@dataclass
class Generated:
    structs: dict[str, UnionStruct]
    order: list[str]  # generated classes, dependencies first
    profiles: set[str]  # classes of model_profiles.py
    public: dict[str, str]  # union class name -> generic class name


def _annotation(kind: Kind, public: dict[str, str]) -> str:
    tag = kind[0]
    if tag == "struct":
        return public[kind[1]]
    if tag == "list":
        return f"list[{_annotation(kind[1], public)}]"
    return {
        "str": "str",
        "int": "int",
        "float": "float",
        "bool": "bool",
        "datetime": "datetime.datetime",
        "any": "typing.Any",
    }[tag]


def _deps(struct: UnionStruct) -> set[str]:
    out: set[str] = set()
    for union in struct.fields.values():
        kind = union.kind(struct.name)
        while kind[0] == "list":
            kind = kind[1]
        if kind[0] == "struct":
            out.add(kind[1])
    return out


def build(repo: Path, files_by_version: dict[str, list[SchemaFile]]) -> Generated:
    collector = _Collector()
    messages: list[str] = []
    for version in VERSIONS_2X:
        by_type = {f.type_name: f for f in files_by_version[version]}
        for operation in OPERATIONS:
            for suffix in ("Request", "Response"):
                f = by_type.get(operation + suffix)
                if f is None:
                    raise CodegenError(f"{version} has no {operation}{suffix}")
                collector.struct(operation + suffix, "", f.root, f)
                if version == V201:
                    messages.append(operation + suffix)
    structs = collector.structs
    hand = _hand_written(repo)
    public = {name: REUSED[name][1] if name in REUSED else name for name in structs}
    for name, struct in structs.items():
        if name in REUSED:
            have = hand[REUSED[name][1]]
            missing = sorted(attr_name(w) for w in struct.fields if attr_name(w) not in have)
            if missing:
                raise CodegenError(f"reused {REUSED[name][1]} lacks union fields {missing}")
        elif name in hand:
            raise CodegenError(f"{name}: generated class named like a hand-written one")
        attrs = [attr_name(w) for w in struct.fields]
        if len(set(attrs)) != len(attrs) or "native" in attrs:
            raise CodegenError(f"{name}: attribute names collide: {attrs}")
    # dependencies first, otherwise alphabetical
    order: list[str] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in order or name in REUSED:
            return
        if name in stack:
            raise CodegenError(f"recursive generic types {(*stack, name)}")
        for dep in sorted(_deps(structs[name])):
            visit(dep, (*stack, name))
        order.append(name)

    for name in sorted(structs):
        visit(name, ())
    profiles: set[str] = set()

    def closure(name: str) -> None:
        if name in profiles:
            return
        if name in REUSED:
            raise CodegenError(f"profile type uses the hand-written {name}")
        profiles.add(name)
        for dep in _deps(structs[name]):
            closure(dep)

    for root in PROFILE_ROOTS:
        closure(root)
    return Generated(structs, order, profiles, public)


def _comment(union: UnionField, versions: list[str]) -> str:
    present = [v for v in versions if v in union.kinds]
    needed = [v for v in versions if union.required.get(v)]
    if len(present) < len(versions):
        note = f"{present[0]} only"
        if needed:
            note += ", required there"
        return note
    if needed:
        return f"required by {needed[0]}"
    return ""


def _class_lines(gen: Generated, name: str, message: bool) -> list[str]:
    struct = gen.structs[name]
    if len(set(struct.origins.values())) == 1:
        origins = " and ".join(sorted(struct.origins)) + " " + next(iter(struct.origins.values()))
    else:
        origins = ", ".join(f"{v} {o}" for v, o in sorted(struct.origins.items()))
    lines = ["", "", f"class {name}(GenericStruct, frozen=True):", f'    """{origins}"""', ""]
    loose = set(OPTIONAL_FOR_16.get(name, ()))
    versions = [v for v in VERSIONS_2X if v in struct.origins]  # where the type exists
    required, optional = [], []
    for wire, union in struct.fields.items():
        ann = _annotation(union.kind(name), gen.public)
        both = all(union.required.get(v) for v in versions)
        widened = union.kinds.get(V201) == ("int",) and union.kinds.get(V21) == ("float",)
        if both and wire not in loose:
            text = f"    {attr_name(wire)}: {ann}"
            required.append(text + ("  # an integer in 2.0.1" if widened else ""))
        else:
            notes = ["required by 2.x" if both else _comment(union, versions)]
            notes.append("an integer in 2.0.1" if widened else "")
            note = "; ".join(n for n in notes if n)
            text = f"    {attr_name(wire)}: {ann} | None = None"
            optional.append(text + (f"  # {note}" if note else ""))
    for attr, ann, wire in V16_FIELDS.get(name, ()):
        optional.append(f"    {attr}: {ann} | None = None  # 1.6 only: {wire}")
    lines += required + optional
    if message:
        lines.append("    native: Native = None")
    if not (required or optional or message):
        lines.append("    pass")
    return lines


def _versions_lit(union: UnionField) -> str:
    present = [v for v in VERSIONS_2X if v in union.kinds]
    return "BOTH" if len(present) == 2 else ("ONLY_201" if present == [V201] else "ONLY_21")


def _nested(kind: Kind, public: dict[str, str]) -> str:
    while kind[0] == "list":
        kind = kind[1]
    return public[kind[1]] if kind[0] == "struct" else "None"


HEADER = '''"""{title}

Generated by ``python -m tools.codegen`` (tools/codegen/emit_generic.py) -- do not edit.
Union of the OCPP 2.0.1 and 2.1 schemas: a field both require is required, any other is
optional (its comment names the version carrying or requiring it); enums are plain str;
customData is left out (reachable through ``native``). Conventions: docs/generic.md.
"""
'''


def render_profiles(gen: Generated) -> str:
    lines = [
        HEADER.format(title="Generic charging profile and schedule types (all versions)."),
        "import datetime",
        "import typing",
        "",
        "from ocpp_core.generic.base import GenericStruct",
    ]
    names = [n for n in gen.order if n in gen.profiles]
    for name in names:
        lines += _class_lines(gen, name, message=False)
    lines += ["", "", "__all__ = [", *[f"    {lit(n)}," for n in sorted(names, key=_all_key)]]
    return _imports("\n".join([*lines, "]", ""]))


def render_2x(gen: Generated) -> str:
    reused_imports: dict[str, list[str]] = {}
    for name, (module, cls) in REUSED.items():
        if name in gen.structs:
            reused_imports.setdefault(module, []).append(cls)
    lines = [
        HEADER.format(
            title="Generic messages of the generated operations, and the wire field tables."
        ),
        "import datetime",
        "import typing",
        "",
        "from ocpp_core.generic.base import GenericStruct, Native",
    ]
    for module in sorted(reused_imports):
        names = ", ".join(sorted(reused_imports[module]))
        lines.append(f"from ocpp_core.generic.{module} import {names}")
    profiles = sorted(gen.profiles)
    lines.append(f"from ocpp_core.generic.model_profiles import {', '.join(profiles)}")
    messages = {op + s for op in OPERATIONS for s in ("Request", "Response")}
    own = [n for n in gen.order if n not in gen.profiles]
    for name in own:
        lines += _class_lines(gen, name, message=name in messages)
    lines += [
        "",
        "",
        "# operation -> (generic request type, generic response type)",
        "OPERATIONS_2X: dict[str, tuple[type[GenericStruct], type[GenericStruct]]] = {",
    ]
    lines += [f"    {lit(op)}: ({op}Request, {op}Response)," for op in OPERATIONS]
    lines += [
        "}",
        "# Of these, the ones 1.6 carries too (mapped by hand: v16_profiles.py).",
        f"IN_V16 = {lit(tuple(OPERATIONS_ALL))}",
        "",
        f"BOTH = {lit(VERSIONS_2X)}",
        f"ONLY_201 = {lit((V201,))}",
        f"ONLY_21 = {lit((V21,))}",
        "",
        "# class -> ((attribute, wire name, versions having it, nested generic class), ...)",
        "WIRE_FIELDS: dict[",
        "    type[GenericStruct], tuple[tuple[str, str, tuple[str, ...], type | None], ...]",
        "] = {",
    ]
    for name in sorted(gen.structs):
        struct = gen.structs[name]
        lines.append(f"    {gen.public[name]}: (")
        for wire, union in struct.fields.items():
            nested = _nested(union.kind(name), gen.public)
            lines.append(
                f"        ({lit(attr_name(wire))}, {lit(wire)}, {_versions_lit(union)}, {nested}),"
            )
        lines.append("    ),")
    lines += [
        "}",
        "# class -> attributes that are integers in 2.0.1 and numbers in 2.1 (float here)",
        "INT_IN_201: dict[type[GenericStruct], tuple[str, ...]] = {",
    ]
    for name in sorted(gen.structs):
        ints = [
            attr_name(wire)
            for wire, union in gen.structs[name].fields.items()
            if union.kinds.get(V201) == ("int",) and union.kinds.get(V21) == ("float",)
        ]
        if ints:
            lines.append(f"    {gen.public[name]}: {lit(tuple(ints))},")
    lines += ["}", ""]
    exported = [*own, "OPERATIONS_2X", "IN_V16", "WIRE_FIELDS", "INT_IN_201"]
    lines += ["__all__ = [", *[f"    {lit(n)}," for n in sorted(exported, key=_all_key)]]
    return _imports("\n".join([*lines, "]", ""]))


def _imports(text: str) -> str:
    """Drop the stdlib imports the module does not use (ruff F401)."""
    for module in ("datetime", "typing"):
        if text.count(module + ".") == 0:
            text = text.replace(f"import {module}\n", "", 1)
    return text
