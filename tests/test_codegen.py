"""The generator: reproducible output, complete coverage of the schemas, loud failures."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_core import v16, v21, v201
from ocpp_core.v16 import schema as schema16
from ocpp_core.v21 import schema as schema21
from ocpp_core.v201 import schema as schema201
from tools.codegen import directions
from tools.codegen.__main__ import generate
from tools.codegen.loader import VERSIONS, CodegenError, load_version, reduce_schema
from tools.codegen.naming import class_name, enum_member, snake

REPO = Path(__file__).resolve().parents[1]
PACKAGES = {"1.6": (v16, schema16), "2.0.1": (v201, schema201), "2.1": (v21, schema21)}
GENERATED = [
    f"ocpp_core/{pkg}/{name}"
    for _, pkg, _ in VERSIONS
    for name in ("__init__.py", "schema.py", "messages.py")
] + ["ocpp_core/generic/model_profiles.py", "ocpp_core/generic/model_2x.py"]


def run_codegen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.codegen", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


# -- reproducibility ----------------------------------------------------------------


def test_generator_output_is_byte_identical_to_committed_files() -> None:
    files = generate(REPO)
    assert sorted(files) == sorted(GENERATED)
    for rel, text in files.items():
        assert (REPO / rel).read_bytes() == text.encode("utf-8"), rel


def test_generator_is_deterministic_across_runs(tmp_path: Path) -> None:
    first = run_codegen("--out", str(tmp_path / "a"))
    second = run_codegen("--out", str(tmp_path / "b"))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    for rel in GENERATED:
        a = (tmp_path / "a" / rel).read_bytes()
        assert a == (tmp_path / "b" / rel).read_bytes()
        assert a == (REPO / rel).read_bytes()


def test_check_mode_passes_on_repo_and_fails_on_a_changed_file(tmp_path: Path) -> None:
    assert run_codegen("--check").returncode == 0
    out = tmp_path / "tree"
    assert run_codegen("--out", str(out)).returncode == 0
    assert run_codegen("--check", "--out", str(out)).returncode == 0
    target = out / "ocpp_core/v201/schema.py"
    target.write_text(target.read_text() + "# edited\n")
    result = run_codegen("--check", "--out", str(out))
    assert result.returncode == 1
    assert "ocpp_core/v201/schema.py" in result.stderr
    assert target.read_text().endswith("# edited\n")  # --check never writes


# -- coverage -----------------------------------------------------------------------


def _schema_files(version: str) -> list[Path]:
    folders = next(f for v, _, f in VERSIONS if v == version)
    return [p for folder in folders for p in sorted((REPO / "spec" / folder).glob("*.json"))]


@pytest.mark.parametrize(
    ("version", "n_actions", "n_files"), [("1.6", 39, 78), ("2.0.1", 64, 128), ("2.1", 91, 181)]
)
def test_every_schema_file_has_a_type_and_an_action(
    version: str, n_actions: int, n_files: int
) -> None:
    package, schema = PACKAGES[version]
    paths = _schema_files(version)
    assert len(paths) == n_files
    assert len(schema.ACTIONS) == n_actions
    assert len(schema.TYPES) == n_files
    assert schema.VERSION == version
    type_names = set()
    for path in paths:
        stem = path.stem
        if stem.endswith(("Request", "Response")) or stem in schema.SEND_ACTIONS:
            name = stem
        else:  # 1.6 naming: <Action>.json is the request
            name = stem + "Request"
        type_names.add(name)
        assert name in schema.TYPES
        assert isinstance(getattr(package, name), type)
    listed = set()
    for action, (sender, req, resp) in schema.ACTIONS.items():
        assert sender in ("station", "csms", "both")
        listed.update({req, resp} - {None})
        if action in schema.SEND_ACTIONS:
            assert resp is None
            assert package.SENDS[action].__name__ == req
        else:
            assert package.REQUESTS[action].__name__ == req == action + "Request"
            assert package.RESPONSES[action].__name__ == resp == action + "Response"
    assert listed == type_names
    assert len(package.REQUESTS) + len(package.SENDS) == n_actions
    for cls, action in package.ACTION_OF.items():
        assert cls.__name__.startswith(action)


def test_send_actions() -> None:
    assert schema21.SEND_ACTIONS == ["NotifyPeriodicEventStream"]
    assert schema21.ACTIONS["NotifyPeriodicEventStream"] == (
        "station",
        "NotifyPeriodicEventStream",
        None,
    )
    assert schema16.SEND_ACTIONS == [] and schema201.SEND_ACTIONS == []
    assert v21.SENDS == {"NotifyPeriodicEventStream": v21.NotifyPeriodicEventStream}
    assert v16.SENDS == {} and v201.SENDS == {}


def test_drafts_per_type() -> None:
    assert schema16.DRAFTS["BootNotificationRequest"] == 4
    assert schema16.DRAFTS["GetLogRequest"] == 6  # security whitepaper file
    assert set(schema201.DRAFTS.values()) == {6} and set(schema21.DRAFTS.values()) == {6}


@pytest.mark.parametrize(
    ("version", "action", "sender"),
    [
        ("1.6", "BootNotification", "station"),
        ("1.6", "RemoteStartTransaction", "csms"),
        ("1.6", "DataTransfer", "both"),
        ("1.6", "SignCertificate", "station"),
        ("1.6", "ExtendedTriggerMessage", "csms"),
        ("2.0.1", "TransactionEvent", "station"),
        ("2.0.1", "SetVariables", "csms"),
        ("2.0.1", "DataTransfer", "both"),
        ("2.1", "NotifyDERAlarm", "station"),
        ("2.1", "SetDERControl", "csms"),
        ("2.1", "UsePriorityCharging", "csms"),
        ("2.1", "DataTransfer", "both"),
    ],
)
def test_direction_samples(version: str, action: str, sender: str) -> None:
    assert PACKAGES[version][1].ACTIONS[action][0] == sender


@pytest.mark.parametrize(
    ("version", "name"), [("1.6", "ocpp16"), ("2.0.1", "ocpp201"), ("2.1", "ocpp21")]
)
def test_directions_agree_with_corpus(version: str, name: str) -> None:
    actions = PACKAGES[version][1].ACTIONS
    seen = set()
    for line in (REPO / "corpus" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        frame = json.loads(record["frame"])
        if frame[0] != 2:
            continue
        sender = "station" if record["direction"] == "cs->csms" else "csms"
        assert actions[record["action"]][0] in (sender, "both"), record["action"]
        seen.add(record["action"])
    assert len(seen) >= 30


# -- schema.py: pure data -----------------------------------------------------------


ALLOWED_KEYS = {
    "type", "properties", "required", "additionalProperties", "enum", "maxLength",
    "minLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minItems", "maxItems", "items", "format", "ref",
}  # fmt: skip


def _walk(node: dict[str, object], defs: dict[str, dict[str, object]]) -> None:
    assert set(node) <= ALLOWED_KEYS, set(node) - ALLOWED_KEYS
    if "ref" in node:
        assert node["ref"] in defs
    for pair in node.get("properties", []):  # type: ignore[attr-defined]
        assert isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
        _walk(pair[1], defs)
    if "items" in node:
        _walk(node["items"], defs)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_schema_tables_hold_only_validation_keywords(version: str) -> None:
    schema = PACKAGES[version][1]
    for root, defs in schema.TYPES.values():
        _walk(root, defs)
        for sub in defs.values():
            _walk(sub, defs)


@pytest.mark.parametrize("pkg", ["v16", "v201", "v21"])
def test_schema_module_is_plain_data(pkg: str) -> None:
    tree = ast.parse((REPO / f"ocpp_core/{pkg}/schema.py").read_text())
    allowed = (ast.Constant, ast.Dict, ast.List, ast.Tuple, ast.Name, ast.Load)
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr):  # the docstring
            assert isinstance(stmt.value, ast.Constant)
            continue
        assert isinstance(stmt, ast.AnnAssign), ast.dump(stmt)[:80]
        assert stmt.value is not None
        for node in ast.walk(stmt.value):
            assert isinstance(node, allowed), ast.dump(node)[:80]
            if isinstance(node, ast.Name):
                assert node.id.startswith("_") or node.id in ("True", "False", "None")


def test_schema_keeps_property_order_and_constraints() -> None:
    root, defs = schema16.TYPES["BootNotificationRequest"]
    names = [name for name, _ in root["properties"]]  # type: ignore[attr-defined]
    assert names[:2] == ["chargePointVendor", "chargePointModel"]
    assert dict(root["properties"])["chargePointVendor"] == {"maxLength": 20, "type": "string"}  # type: ignore[call-overload]
    assert root["additionalProperties"] is False
    root, defs = schema201.TYPES["AuthorizeRequest"]
    assert dict(root["properties"])["idToken"] == {"ref": "IdTokenType"}  # type: ignore[call-overload]
    assert "description" not in str(defs) and "javaType" not in str(defs)
    assert defs["CustomDataType"]["required"] == ["vendorId"]
    assert "additionalProperties" not in defs["CustomDataType"]


# -- loud failures ------------------------------------------------------------------


def test_unknown_validation_keyword_fails() -> None:
    errors: list[str] = []
    reduce_schema({"type": "string", "pattern": "^a$"}, "x.json#", errors)
    assert errors == ["x.json#: unsupported keyword 'pattern'"]
    errors = []
    reduce_schema({"anyOf": [{"type": "string"}]}, "x.json#", errors)
    assert "anyOf" in errors[0]
    errors = []
    reduce_schema(
        {"type": "array", "items": [{"type": "string"}], "additionalItems": False}, "y#", errors
    )
    assert len(errors) == 2  # tuple items, and additionalItems that would matter
    errors = []
    out = reduce_schema(
        {"type": "array", "items": {"type": "string"}, "additionalItems": False, "default": []},
        "z#",
        errors,
    )
    assert errors == [] and out == {"type": "array", "items": {"type": "string"}}


def _copy_spec(tmp_path: Path, folder: str) -> Path:
    shutil.copytree(REPO / "spec" / folder, tmp_path / "spec" / folder)
    return tmp_path


def test_missing_direction_fails(tmp_path: Path) -> None:
    repo = _copy_spec(tmp_path, "ocpp201/json")
    for kind in ("Request", "Response"):
        (repo / "spec/ocpp201/json" / f"FrobnicateWidget{kind}.json").write_text(
            json.dumps({"$schema": "http://json-schema.org/draft-06/schema#", "type": "object"})
        )
    with pytest.raises(CodegenError, match=r"no direction entry.*FrobnicateWidget"):
        load_version(repo, "2.0.1", ["ocpp201/json"])


def test_bad_keyword_in_a_file_fails(tmp_path: Path) -> None:
    repo = _copy_spec(tmp_path, "ocpp201/json")
    path = repo / "spec/ocpp201/json/HeartbeatRequest.json"
    raw = json.loads(path.read_text())
    raw["properties"]["x"] = {"type": "string", "pattern": "a+"}
    path.write_text(json.dumps(raw))
    with pytest.raises(
        CodegenError, match=r"HeartbeatRequest.json#/properties/x: unsupported keyword 'pattern'"
    ):
        load_version(repo, "2.0.1", ["ocpp201/json"])


def test_direction_tables_match_schema_sets() -> None:
    assert set(directions.V21) - set(directions.V201) == set(directions._V21_NEW)
    assert all(directions.V21[a] == directions.V201[a] for a in directions.V201)


# -- naming rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "attr"),
    [
        ("evseId", "evse_id"),
        ("stateOfCharge", "state_of_charge"),
        ("responderURL", "responder_url"),
        ("V2XChargingParameters", "v2x_charging_parameters"),
        ("v2xChargingParameters", "v2x_charging_parameters"),
        ("evMaxV2XEnergyRequest", "ev_max_v2x_energy_request"),
        ("evSupportedDERControl", "ev_supported_der_control"),
        ("CSMSRootCertificate", "csms_root_certificate"),
        ("targetSoC", "target_soc"),
        ("prioritizedEMAIDs", "prioritized_emaids"),
        ("iso15118CertificateHashData", "iso15118_certificate_hash_data"),
        ("evDurationLevel1DCInjection", "ev_duration_level1_dc_injection"),
        ("limit_L2", "limit_l2"),
        ("priceScheduleID", "price_schedule_id"),
        ("type", "type_"),
        ("id", "id_"),
        ("format", "format_"),
        ("hash", "hash_"),
        ("min", "min_"),
        ("class", "class_"),
    ],
)
def test_snake_case(wire: str, attr: str) -> None:
    assert snake(wire) == attr


def test_class_and_member_names() -> None:
    assert class_name("IdTokenType") == "IdToken"
    assert class_name("BootReasonEnumType") == "BootReason"
    assert class_name("AuthorizationData") == "AuthorizationData"
    assert enum_member("Energy.Active.Import.Register") == "Energy_Active_Import_Register"
    assert enum_member("L1-N") == "L1_N"
    assert enum_member("None") == "None_"
    assert enum_member("s309-1P-16A") == "s309_1P_16A"
    assert enum_member("title") == "title_"  # would shadow str.title
