"""Write ``ocpp_core/vXX/messages.py``: msgspec Structs and str Enums (CPython only)."""

import re
from dataclasses import dataclass, field
from typing import Any

from .emit_schema import lit
from .loader import CodegenError, SchemaFile
from .naming import class_name, enum_member, snake

# 2.x "CustomDataType" allows arbitrary extra members; it is typed as a plain dict.
CUSTOM_DATA_DEF = "CustomDataType"
BASE = "OcppStruct"

# OCPP 1.6 core schemas nest objects and enums inline.  Their classes get the names of
# OCPP 1.6 §7 "Types" (a trailing "Type" dropped as in 2.x: ChargingProfileKindType ->
# ChargingProfileKind, except where the rest would be ambiguous: AvailabilityType,
# ResetType, UpdateType).  Keys are property paths (array items are transparent); the
# longest matching suffix of "<TypeName>.<prop>.<prop>..." wins.
INLINE_NAMES_16 = {
    "idTagInfo": "IdTagInfo",
    "idTagInfo.status": "AuthorizationStatus",
    "BootNotificationResponse.status": "RegistrationStatus",
    "CancelReservationResponse.status": "CancelReservationStatus",
    "ChangeAvailabilityRequest.type": "AvailabilityType",
    "ChangeAvailabilityResponse.status": "AvailabilityStatus",
    "ChangeConfigurationResponse.status": "ConfigurationStatus",
    "ClearCacheResponse.status": "ClearCacheStatus",
    "chargingProfilePurpose": "ChargingProfilePurpose",
    "ClearChargingProfileResponse.status": "ClearChargingProfileStatus",
    "DataTransferResponse.status": "DataTransferStatus",
    "DiagnosticsStatusNotificationRequest.status": "DiagnosticsStatus",
    "FirmwareStatusNotificationRequest.status": "FirmwareStatus",
    "chargingRateUnit": "ChargingRateUnit",
    "GetCompositeScheduleResponse.status": "GetCompositeScheduleStatus",
    "chargingSchedule": "ChargingSchedule",
    "chargingSchedulePeriod": "ChargingSchedulePeriod",
    "configurationKey": "KeyValue",
    "meterValue": "MeterValue",
    "sampledValue": "SampledValue",
    "sampledValue.context": "ReadingContext",
    "sampledValue.format": "ValueFormat",
    "sampledValue.measurand": "Measurand",
    "sampledValue.phase": "Phase",
    "sampledValue.location": "Location",
    "sampledValue.unit": "UnitOfMeasure",
    # StopTransaction.transactionData is a MeterValue whose unit enum lacks "Celsius"
    # (OCA schema quirk, see spec/README.md), so it needs its own classes.
    "transactionData": "TransactionData",
    "transactionData.sampledValue": "TransactionSampledValue",
    "transactionData.sampledValue.unit": "TransactionUnitOfMeasure",
    "chargingProfile": "ChargingProfile",
    "csChargingProfiles": "ChargingProfile",
    "chargingProfileKind": "ChargingProfileKind",
    "recurrencyKind": "RecurrencyKind",
    "RemoteStartTransactionResponse.status": "RemoteStartStopStatus",
    "RemoteStopTransactionResponse.status": "RemoteStartStopStatus",
    "ReserveNowResponse.status": "ReservationStatus",
    "ResetRequest.type": "ResetType",
    "ResetResponse.status": "ResetStatus",
    "localAuthorizationList": "AuthorizationData",
    "SendLocalListRequest.updateType": "UpdateType",
    "SendLocalListResponse.status": "UpdateStatus",
    "SetChargingProfileResponse.status": "ChargingProfileStatus",
    "StatusNotificationRequest.errorCode": "ChargePointErrorCode",
    "StatusNotificationRequest.status": "ChargePointStatus",
    "StopTransactionRequest.reason": "Reason",
    "TriggerMessageRequest.requestedMessage": "MessageTrigger",
    "TriggerMessageResponse.status": "TriggerMessageStatus",
    "UnlockConnectorResponse.status": "UnlockStatus",
}

# Definition names whose class name would clash with another class of the same version.
DEF_RENAMES = {
    # The security whitepaper's ExtendedTriggerMessage has its own, larger trigger enum;
    # "MessageTrigger" is the 1.6 core TriggerMessage enum.
    "1.6": {
        "MessageTriggerEnumType": "MessageTriggerExtended",
        # SignedFirmwareStatusNotification's status set (core: FirmwareStatus).
        "FirmwareStatusEnumType": "SignedFirmwareStatus",
    },
    "2.0.1": {},
    "2.1": {},
}

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


@dataclass
class EnumDef:
    name: str
    values: list[str]
    origin: str


@dataclass
class FieldDef:
    wire: str
    attr: str
    annotation: str
    required: bool


@dataclass
class StructDef:
    name: str
    fields: list[FieldDef]
    origin: str
    allow_extra: bool = False
    deps: set[str] = field(default_factory=set)


@dataclass
class Model:
    version: str
    files: list[SchemaFile]
    enums: dict[str, EnumDef] = field(default_factory=dict)
    structs: dict[str, StructDef] = field(default_factory=dict)
    # class name -> canonical content (for dedup and collision checks)
    content: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _num(value: Any, integer: bool) -> str:
    if integer and isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if not integer and isinstance(value, int):
        return repr(float(value))
    return repr(value)


class _Builder:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.v = model.version
        self.def_names = self._def_names()

    def _def_names(self) -> dict[str, str]:
        """Definition name -> class name.  Dropping "EnumType" / "Type" can make an enum
        and an object share a name (IdTokenEnumType, IdTokenType): the enum then keeps
        "Enum" (IdTokenEnum).  Any other clash fails."""
        all_defs = sorted({d for f in self.model.files for d in f.defs} - {CUSTOM_DATA_DEF})
        renames = DEF_RENAMES[self.v]
        out = {d: renames.get(d) or class_name(d) for d in all_defs}
        for d in all_defs:
            clash = [o for o in all_defs if o != d and out[o] == out[d]]
            if clash and d.endswith("EnumType") and d not in renames:
                out[d] = d[: -len("Type")]
                self.model.notes.append(f"enum {d} -> {out[d]} (clashes with {clash})")
        names = sorted(out.values())
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise CodegenError(f"{self.v}: definitions map to the same class names {dupes}")
        return out

    # -- naming -------------------------------------------------------------------
    def def_class(self, def_name: str) -> str:
        return self.def_names[def_name]

    def inline_name(self, path: list[str]) -> str:
        for start in range(len(path)):
            key = ".".join(path[start:])
            if key in INLINE_NAMES_16 and self.v == "1.6":
                return INLINE_NAMES_16[key]
        raise CodegenError(f"{self.v}: no class name for inline type at {'.'.join(path)}")

    def claim(self, name: str, content: str, origin: str) -> bool:
        """Register a class name; False if it already exists with the same content."""
        old = self.model.content.get(name)
        if old is None:
            self.model.content[name] = content
            return True
        if old != content:
            raise CodegenError(
                f"{self.v}: class name {name!r} used for different schemas ({origin}); "
                "add a rename in tools/codegen/emit_messages.py"
            )
        return False

    # -- types --------------------------------------------------------------------
    def build_file(self, f: SchemaFile) -> None:
        for def_name, schema in f.defs.items():
            if def_name == CUSTOM_DATA_DEF:
                self._check_custom_data(schema, f)
                continue
            origin = f"{f.rel_path}#/definitions/{def_name}"
            name = self.def_class(def_name)
            if "enum" in schema:
                self.enum(name, schema, origin)
            elif schema.get("type") == "object":
                self.struct(name, schema, origin, f, [f.type_name])
            else:
                raise CodegenError(f"{origin}: definition is neither enum nor object")
        self.struct(f.type_name, f.root, f.rel_path, f, [f.type_name])

    def _check_custom_data(self, schema: dict[str, Any], f: SchemaFile) -> None:
        want = {
            "properties": [["vendorId", {"maxLength": 255, "type": "string"}]],
            "required": ["vendorId"],
            "type": "object",
        }
        if schema != want:
            raise CodegenError(f"{f.rel_path}: unexpected CustomDataType {schema}")

    def enum(self, name: str, schema: dict[str, Any], origin: str) -> str:
        extra = set(schema) - {"type", "enum", "additionalProperties"}
        if schema.get("type") != "string" or extra:
            raise CodegenError(f"{origin}: unsupported enum schema {sorted(schema)}")
        values = list(schema["enum"])
        if self.claim(name, "enum:" + lit(values), origin):
            members = [enum_member(v) for v in values]
            if len(set(members)) != len(members):
                raise CodegenError(f"{origin}: enum member names collide: {members}")
            self.model.enums[name] = EnumDef(name, values, origin)
        return name

    def struct(
        self, name: str, schema: dict[str, Any], origin: str, f: SchemaFile, path: list[str]
    ) -> str:
        extra = set(schema) - {"type", "properties", "required", "additionalProperties"}
        if schema.get("type") != "object" or extra:
            raise CodegenError(f"{origin}: unsupported object schema keys {sorted(extra)}")
        required = list(schema.get("required", []))
        props = schema.get("properties", [])
        wires = [p for p, _ in props]
        missing = [r for r in required if r not in wires]
        if missing:
            raise CodegenError(f"{origin}: required names without a property: {missing}")
        deps: set[str] = set()
        fields: list[FieldDef] = []
        for wire, sub in props:
            where = origin + ("" if "#" in origin else "#") + f"/properties/{wire}"
            ann = self.annotation(sub, where, f, [*path, wire], deps)
            fields.append(FieldDef(wire, snake(wire), ann, wire in required))
        attrs = [fd.attr for fd in fields]
        if len(set(attrs)) != len(attrs):
            raise CodegenError(f"{origin}: attribute names collide: {attrs}")
        allow_extra = schema.get("additionalProperties", True) is not False
        content = "struct:" + lit(
            [[fd.wire, fd.annotation, fd.required] for fd in fields] + [allow_extra]
        )
        if self.claim(name, content, origin):
            self.model.structs[name] = StructDef(name, fields, origin, allow_extra, deps)
            if allow_extra:
                self.model.notes.append(f"{name}: additionalProperties allowed ({origin})")
        return name

    def annotation(
        self, s: dict[str, Any], where: str, f: SchemaFile, path: list[str], deps: set[str]
    ) -> str:
        if "ref" in s:
            target = s["ref"]
            if target == CUSTOM_DATA_DEF:
                return "dict[str, typing.Any]"
            if target not in f.defs:
                raise CodegenError(f"{where}: $ref to missing definition {target}")
            name = self.def_class(target)
            deps.add(name)
            return name
        if not s:
            # No keyword at all (2.x DataTransfer "data"): any JSON value, null included.
            return "typing.Any"
        typ = s.get("type")
        if not isinstance(typ, str):
            raise CodegenError(f"{where}: unsupported type {typ!r}")
        if "enum" in s:
            name = self.enum(self.inline_name(path), s, where)
            deps.add(name)
            return name
        if typ == "object":
            name = self.struct(self.inline_name(path), s, where, f, path)
            deps.add(name)
            return name
        meta: list[str] = []
        used = {"type", "additionalProperties"}  # additionalProperties: no effect on non-objects
        if typ == "array":
            if "items" not in s:
                raise CodegenError(f"{where}: array without items")
            inner = self.annotation(s["items"], where + "/items", f, path, deps)
            base = f"list[{inner}]"
            for key, arg in (("minItems", "min_length"), ("maxItems", "max_length")):
                if key in s:
                    meta.append(f"{arg}={s[key]!r}")
            used |= {"items", "minItems", "maxItems"}
        elif typ in _SCALARS:
            base = _SCALARS[typ]
            if typ == "string":
                if s.get("format") == "date-time":
                    base = "datetime.datetime"
                    meta.append("tz=True")
                    used.add("format")
                elif s.get("format") == "uri":
                    used.add("format")  # kept as str; the codec checks the URI syntax
                for key, arg in (("minLength", "min_length"), ("maxLength", "max_length")):
                    if key in s:
                        meta.append(f"{arg}={s[key]!r}")
                used |= {"minLength", "maxLength"}
            elif typ in ("integer", "number"):
                integer = typ == "integer"
                for key, arg in (("minimum", "ge"), ("maximum", "le")):
                    if key in s:
                        meta.append(f"{arg}={_num(s[key], integer)}")
                for key, arg in (("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
                    if key in s:
                        if f.draft != 6:
                            raise CodegenError(f"{where}: draft-04 boolean {key} not supported")
                        meta.append(f"{arg}={_num(s[key], integer)}")
                used |= {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
                if "multipleOf" in s:
                    # Not carried into msgspec: its float multiple_of rejects 16.0 and 3
                    # for 0.1 (binary fmod); the exact validator checks multipleOf.
                    used.add("multipleOf")
                    self.model.notes.append(f"multipleOf {s['multipleOf']} at {where}")
        else:
            raise CodegenError(f"{where}: unsupported type {typ!r}")
        left = set(s) - used
        if left:
            raise CodegenError(f"{where}: keywords not translated: {sorted(left)}")
        if meta:
            return f"typing.Annotated[{base}, msgspec.Meta({', '.join(meta)})]"
        return base


def build(version: str, files: list[SchemaFile]) -> Model:
    model = Model(version, files)
    builder = _Builder(model)
    for f in sorted(files, key=lambda f: f.type_name):
        builder.build_file(f)
    message_names = {f.type_name for f in files}
    for name in model.structs:
        if name == BASE:
            raise CodegenError(f"{version}: a class would be named like the base {BASE}")
    for name in model.enums:
        if name in message_names:
            raise CodegenError(f"{version}: enum {name} clashes with a message name")
    return model


def _ordered_structs(model: Model) -> list[StructDef]:
    """Dependencies first, otherwise alphabetical (deterministic, no forward refs)."""
    done: set[str] = set()
    out: list[StructDef] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in done or name in model.enums:
            return
        if name in stack:
            raise CodegenError(f"{model.version}: recursive types {(*stack, name)}")
        struct = model.structs[name]
        for dep in sorted(struct.deps):
            visit(dep, (*stack, name))
        done.add(name)
        out.append(struct)

    for name in sorted(model.structs):
        visit(name, ())
    return out


def _all_key(name: str) -> tuple[int, list[tuple[int, str]]]:
    """isort-style order of ``__all__`` (ruff RUF022): CONSTANTS, Classes, others;
    natural sort inside a group (digit runs compared as numbers)."""
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    parts = re.findall(r"\d+|\D+", name)
    return group, [(int(p), "") if p.isdigit() else (-1, p) for p in parts]


def render(model: Model) -> str:
    from .directions import SEND_ACTIONS

    files = model.files
    v = model.version
    lines: list[str] = [
        f'"""OCPP {v} messages as msgspec Structs (CPython only; the codec imports this).',
        "",
        "Generated by ``python -m tools.codegen`` -- do not edit.  Rules:",
        "",
        "- Structs are frozen, keyword-only, reject unknown fields and omit UNSET fields.",
        "  Attribute names are snake_case; ``msgspec.field(name=...)`` keeps the wire name.",
        "  Optional fields default to ``msgspec.UNSET`` (absent on the wire; null is invalid).",
        "- ``customData`` (2.x CustomDataType, open to vendor members) is a plain",
        "  ``dict[str, Any]`` so extra members round-trip; its required ``vendorId`` is",
        "  checked by the exact validator (ocpp_core.validator), not here.",
        "- ``format: date-time`` is an aware datetime; ``format: uri`` is a str (with its",
        "  maxLength) whose syntax the codec checks.",
        "- ``multipleOf`` (1.6 charging limits) is not expressed here: msgspec's float",
        "  multiple_of disagrees with decimal steps (it rejects 16.0 for 0.1); the exact",
        "  validator checks it.",
        "",
        "Sources (sha256):",
    ]
    for f in sorted(files, key=lambda f: f.rel_path):
        lines.append(f"    {f.rel_path} {f.sha256}")
    lines += [
        '"""',
        "",
        "import datetime",
        "import enum",
        "import typing",
        "",
        "import msgspec",
        "",
    ]
    names: list[str] = [BASE]
    lines += [
        "",
        f"class {BASE}(",
        "    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True",
        "):",
        f'    """Base of every OCPP {v} message and nested type."""',
        "",
    ]
    for name in sorted(model.enums):
        e = model.enums[name]
        names.append(name)
        lines += ["", f"class {name}(str, enum.Enum):", f'    """{e.origin}"""', ""]
        for value in e.values:
            lines.append(f"    {enum_member(value)} = {lit(value)}")
        lines.append("")
    for s in _ordered_structs(model):
        names.append(s.name)
        # kw_only applies only to the fields of the class that sets it (msgspec), and
        # mypy's dataclass_transform wants frozen repeated, so both are spelled out.
        opts = ", frozen=True, kw_only=True" + (
            ", forbid_unknown_fields=False" if s.allow_extra else ""
        )
        lines += ["", f"class {s.name}({BASE}{opts}):", f'    """{s.origin}"""', ""]
        ordered = [fd for fd in s.fields if fd.required] + [
            fd for fd in s.fields if not fd.required
        ]
        for fd in ordered:
            if fd.required:
                lines.append(f"    {fd.attr}: {fd.annotation} = msgspec.field(name={lit(fd.wire)})")
            else:
                lines.append(
                    f"    {fd.attr}: {fd.annotation} | msgspec.UnsetType = "
                    f"msgspec.field(default=msgspec.UNSET, name={lit(fd.wire)})"
                )
        lines.append("")
    by_action: dict[str, dict[str, str]] = {}
    for f in files:
        by_action.setdefault(f.action, {})[f.kind] = f.type_name
    sends = set(SEND_ACTIONS[v])
    lines += ["", "REQUESTS: dict[str, type[OcppStruct]] = {"]
    lines += [
        f"    {lit(a)}: {k['request']}," for a, k in sorted(by_action.items()) if a not in sends
    ]
    lines += ["}", "RESPONSES: dict[str, type[OcppStruct]] = {"]
    lines += [
        f"    {lit(a)}: {k['response']}," for a, k in sorted(by_action.items()) if a not in sends
    ]
    lines += ["}", "SENDS: dict[str, type[OcppStruct]] = {"]
    lines += [f"    {lit(a)}: {k['send']}," for a, k in sorted(by_action.items()) if a in sends]
    lines += ["}", "ACTION_OF: dict[type[OcppStruct], str] = {"]
    for a, k in sorted(by_action.items()):
        for kind in ("request", "response", "send"):
            if kind in k:
                lines.append(f"    {k[kind]}: {lit(a)},")
    lines += ["}", ""]
    names += ["REQUESTS", "RESPONSES", "SENDS", "ACTION_OF"]
    lines += ["__all__ = ["] + [f"    {lit(n)}," for n in sorted(names, key=_all_key)] + ["]", ""]
    return "\n".join(lines)
