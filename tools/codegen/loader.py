"""Read the official OCPP JSON schemas and reduce them to validation keywords only."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import directions

# (version, package, spec folders).  The 1.6 security whitepaper messages travel as
# ordinary 1.6 CALLs, so they join the 1.6 package.
VERSIONS: list[tuple[str, str, list[str]]] = [
    ("1.6", "v16", ["ocpp16/json", "ocpp16-security/json"]),
    ("2.0.1", "v201", ["ocpp201/json"]),
    ("2.1", "v21", ["ocpp21/json"]),
]

# Keywords that carry validation and are kept in the reduced schema.
VALIDATION_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "maxLength",
        "minLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "items",
        "format",
        "$ref",
    }
)
# Annotations: no effect on validation (JSON Schema draft-04 / draft-06), dropped.
# "default" is an annotation too: an absent field stays absent on the wire.
ANNOTATION_KEYWORDS = frozenset(
    {
        "$schema",
        "id",
        "$id",
        "title",
        "description",
        "comment",
        "$comment",
        "javaType",
        "tsEnumNames",
        "default",
        "examples",
    }
)


class CodegenError(Exception):
    """A schema the generator cannot translate faithfully."""


@dataclass
class SchemaFile:
    version: str
    rel_path: str  # relative to the repo root, posix
    sha256: str
    type_name: str  # e.g. BootNotificationRequest
    action: str
    kind: str  # "request" | "response" | "send"
    draft: int
    root: dict[str, Any]  # reduced
    defs: dict[str, dict[str, Any]]  # reduced


def _draft_of(raw: dict[str, Any], rel: str) -> int:
    uri = raw.get("$schema", "")
    if "draft-04" in uri:
        return 4
    if "draft-06" in uri:
        return 6
    raise CodegenError(f"{rel}: unknown $schema {uri!r}")


def reduce_schema(node: Any, where: str, errors: list[str]) -> dict[str, Any]:
    """Keep validation keywords only; ``$ref`` becomes ``ref`` (definition name)."""
    if not isinstance(node, dict):
        errors.append(f"{where}: schema is not an object")
        return {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ANNOTATION_KEYWORDS:
            continue
        if key == "definitions":
            if where.endswith("#"):
                continue  # the root's definitions are reduced by the caller
            errors.append(f"{where}: nested 'definitions' not supported")
            continue
        if key == "additionalItems":
            # draft-04 §5.3.1 / draft-06 §6.10: additionalItems only applies when
            # "items" is an array of schemas.  With a single "items" schema (all OCA
            # files) it has no effect, so it is dropped -- but only then.
            if not isinstance(node.get("items"), dict):
                errors.append(f"{where}: additionalItems with a tuple 'items' is not supported")
            continue
        if key not in VALIDATION_KEYWORDS:
            errors.append(f"{where}: unsupported keyword {key!r}")
            continue
        if key == "properties":
            out["properties"] = [
                [name, reduce_schema(sub, f"{where}/properties/{name}", errors)]
                for name, sub in value.items()
            ]
        elif key == "items":
            if not isinstance(value, dict):
                errors.append(f"{where}: tuple 'items' is not supported")
                continue
            out["items"] = reduce_schema(value, f"{where}/items", errors)
        elif key == "$ref":
            prefix = "#/definitions/"
            if not isinstance(value, str) or not value.startswith(prefix):
                errors.append(f"{where}: unsupported $ref {value!r}")
                continue
            out["ref"] = value[len(prefix) :]
        elif key == "additionalProperties":
            if not isinstance(value, bool):
                errors.append(f"{where}: additionalProperties must be a boolean here")
                continue
            out[key] = value
        else:
            out[key] = value
    if "ref" in out and len(out) > 1:
        # draft-04/06: siblings of $ref are ignored; we refuse rather than guess.
        errors.append(f"{where}: $ref with sibling keywords {sorted(out)}")
    return out


def _classify(version: str, stem: str, rel: str) -> tuple[str, str, str]:
    """File stem -> (type_name, action, kind)."""
    sends = directions.SEND_ACTIONS[version]
    if stem.endswith("Response"):
        action = stem[: -len("Response")]
        return stem, action, "response"
    if stem.endswith("Request"):
        action = stem[: -len("Request")]
        return stem, action, "request"
    if stem in sends:
        return stem, stem, "send"
    if version == "1.6":
        # 1.6 files are named <Action>.json / <Action>Response.json.
        return stem + "Request", stem, "request"
    raise CodegenError(f"{rel}: cannot tell request/response/send from the file name")


def load_version(repo: Path, version: str, folders: list[str]) -> list[SchemaFile]:
    files: list[SchemaFile] = []
    errors: list[str] = []
    for folder in folders:
        for path in sorted((repo / "spec" / folder).glob("*.json")):
            rel = path.relative_to(repo).as_posix()
            data = path.read_bytes()
            raw = json.loads(data.decode("utf-8-sig"))
            type_name, action, kind = _classify(version, path.stem, rel)
            root = reduce_schema(raw, f"{rel}#", errors)
            defs = {
                name: reduce_schema(sub, f"{rel}#/definitions/{name}", errors)
                for name, sub in raw.get("definitions", {}).items()
            }
            files.append(
                SchemaFile(
                    version=version,
                    rel_path=rel,
                    sha256=hashlib.sha256(data).hexdigest(),
                    type_name=type_name,
                    action=action,
                    kind=kind,
                    draft=_draft_of(raw, rel),
                    root=root,
                    defs=defs,
                )
            )
    if errors:
        raise CodegenError(
            "schema keywords the generator cannot translate:\n  " + "\n  ".join(errors)
        )
    _check_pairs(version, files)
    return files


def _check_pairs(version: str, files: list[SchemaFile]) -> None:
    names = [f.type_name for f in files]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CodegenError(f"{version}: duplicate type names {dupes}")
    table = directions.BY_VERSION[version]
    actions = {f.action for f in files}
    missing = sorted(actions - set(table))
    if missing:
        raise CodegenError(f"{version}: no direction entry in directions.py for {missing}")
    extra = sorted(set(table) - actions)
    if extra:
        raise CodegenError(f"{version}: directions.py lists actions without schema: {extra}")
    kinds: dict[str, set[str]] = {}
    for f in files:
        kinds.setdefault(f.action, set()).add(f.kind)
    for action, got in sorted(kinds.items()):
        want = {"send"} if action in directions.SEND_ACTIONS[version] else {"request", "response"}
        if got != want:
            raise CodegenError(f"{version}: {action} has {sorted(got)}, expected {sorted(want)}")


def actions_table(version: str, files: list[SchemaFile]) -> dict[str, tuple[str, str, str | None]]:
    table = directions.BY_VERSION[version]
    out: dict[str, tuple[str, str, str | None]] = {}
    by_action: dict[str, dict[str, str]] = {}
    for f in files:
        by_action.setdefault(f.action, {})[f.kind] = f.type_name
    for action in sorted(by_action):
        kinds = by_action[action]
        if "send" in kinds:
            out[action] = (table[action], kinds["send"], None)
        else:
            out[action] = (table[action], kinds["request"], kinds["response"])
    return out
