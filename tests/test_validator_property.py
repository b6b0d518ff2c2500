"""Property tests: our validator against Python jsonschema on the ORIGINAL OCA schemas,
for the request and response type of every action of every version.

- generated valid payloads: we find no violation, and jsonschema (Draft4Validator for
  draft-04 files, Draft6Validator for draft-06, format checking on) finds none either;
- payloads with exactly one violation: both reject, and our single violation has the
  expected kind, path and the version's code for that kind.

jsonschema is fed numbers parsed as `decimal.Decimal` (payload and schema), the way
mobilityhouse/ocpp does, so that `multipleOf: 0.1` is decided exactly as we decide it:
with binary floats jsonschema rejects 8.1 (see docs/error-codes.md).
"""

import json
import os
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from ocpp_core import versions
from ocpp_core.v16 import schema as schema16
from ocpp_core.v21 import schema as schema21
from ocpp_core.v201 import schema as schema201
from ocpp_core.validator import Validator

try:
    from schema_strategies import mutated_payloads, valid_payloads
except ImportError:  # tests/ is a package: pytest put the project root on sys.path
    from tests.schema_strategies import mutated_payloads, valid_payloads

SPEC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "spec")
MODULES = {versions.V16: schema16, versions.V201: schema201, versions.V21: schema21}
FOLDERS = {
    versions.V16: ("ocpp16", "ocpp16-security"),
    versions.V201: ("ocpp201",),
    versions.V21: ("ocpp21",),
}
SETTINGS = settings(
    max_examples=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _all_types() -> list[tuple[str, str]]:
    out = []
    for version, module in MODULES.items():
        names: set[str] = set()
        for _sender, request, response in module.ACTIONS.values():
            names.add(request)
            if response is not None:
                names.add(response)
        out.extend((version, name) for name in sorted(names))
    return out


ALL_TYPES = _all_types()
VALIDATORS = {version: Validator(version) for version in MODULES}
_REFERENCE: dict[tuple[str, str], Any] = {}


def _file_name(version: str, type_name: str) -> str:
    if version == versions.V16 and type_name.endswith("Request"):
        return type_name[: -len("Request")] + ".json"
    return type_name + ".json"


def reference(version: str, type_name: str) -> Any:
    """A jsonschema validator for the original OCA file of `type_name`."""
    key = (version, type_name)
    if key not in _REFERENCE:
        name = _file_name(version, type_name)
        for folder in FOLDERS[version]:
            path = os.path.join(SPEC, folder, "json", name)
            if os.path.exists(path):
                break
        else:
            raise AssertionError("no schema file for " + type_name)
        with open(path, encoding="utf-8-sig") as handle:
            schema = json.loads(handle.read(), parse_float=Decimal)
        cls = (
            jsonschema.Draft4Validator
            if "draft-04" in schema["$schema"]
            else jsonschema.Draft6Validator
        )
        _REFERENCE[key] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return _REFERENCE[key]


def as_decimal_json(payload: Any) -> Any:
    return json.loads(json.dumps(payload), parse_float=Decimal)


def test_every_action_type_is_covered() -> None:
    # 1.6: 28 core + 11 security actions; 2.0.1: 64; 2.1: 90 + one SEND
    counts = {version: sum(1 for v, _ in ALL_TYPES if v == version) for version in MODULES}
    assert counts == {versions.V16: 78, versions.V201: 128, versions.V21: 181}
    for version, type_name in ALL_TYPES:
        reference(version, type_name)  # every type has its original file


@pytest.mark.parametrize("version,type_name", ALL_TYPES)
def test_valid_payloads_pass_both(version: str, type_name: str) -> None:
    validator = VALIDATORS[version]
    ref = reference(version, type_name)

    @SETTINGS
    @given(valid_payloads(MODULES[version].TYPES, type_name))
    def check(payload: Any) -> None:
        assert validator.validate(type_name, payload) == []
        errors = [e.message for e in ref.iter_errors(as_decimal_json(payload))]
        assert errors == []

    check()


@pytest.mark.parametrize("version,type_name", ALL_TYPES)
def test_mutated_payloads_fail_both_with_the_mapped_code(version: str, type_name: str) -> None:
    validator = VALIDATORS[version]
    ref = reference(version, type_name)

    @SETTINGS
    @given(mutated_payloads(MODULES[version].TYPES, type_name))
    def check(case: tuple[Any, str, str]) -> None:
        payload, kind, path = case
        found = validator.validate(type_name, payload)
        assert [(v.kind, v.path) for v in found] == [(kind, path)]
        assert found[0].code == versions.code_for(version, kind)
        assert not ref.is_valid(as_decimal_json(payload))

    check()


KEYWORD_OF_KIND = {
    versions.REQUIRED: "required",
    versions.TYPE: "type",
    versions.MAX_LENGTH: "maxLength",
    versions.MIN_LENGTH: "minLength",
    versions.ENUM: "enum",
    versions.ADDITIONAL_PROPERTY: "additionalProperties",
    versions.MIN_ITEMS: "minItems",
    versions.MAX_ITEMS: "maxItems",
    versions.MINIMUM: "minimum",
    versions.MAXIMUM: "maximum",
    versions.FORMAT: "format",
    versions.MULTIPLE_OF: "multipleOf",
}


def _uses(entry: Any, keyword: str) -> bool:
    """Does the type's schema (root or one of its definitions) use `keyword`?"""
    text = repr(entry[0]) + repr(entry[1])
    return repr(keyword) + ":" in text


def _kind_cases() -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    for version, module in MODULES.items():
        types = sorted(name for v, name in ALL_TYPES if v == version)
        for kind, keyword in KEYWORD_OF_KIND.items():
            users = tuple(name for name in types if _uses(module.TYPES[name], keyword))
            if users:
                cases.append((version, kind, users))
    return cases


@pytest.mark.parametrize(
    "version,kind,type_names", _kind_cases(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_each_kind_gets_its_code(version: str, kind: str, type_names: tuple[str, ...]) -> None:
    """Aimed at one kind at a time, over the types whose schema can break that way, so
    rare kinds (multipleOf, maxItems, minimum) are exercised as much as common ones."""
    from hypothesis import strategies as st

    validator = VALIDATORS[version]
    types = MODULES[version].TYPES
    seen: list[str] = []

    @settings(SETTINGS, max_examples=25)
    @given(
        st.sampled_from(type_names).flatmap(
            lambda name: mutated_payloads(types, name, (kind,)).map(lambda case: (name, case))
        )
    )
    def check(named: tuple[str, tuple[Any, str, str]]) -> None:
        type_name, (payload, found_kind, path) = named
        found = validator.validate(type_name, payload)
        assert [(v.kind, v.path) for v in found] == [(found_kind, path)]
        assert found[0].code == versions.code_for(version, found_kind)
        assert not reference(version, type_name).is_valid(as_decimal_json(payload))
        seen.append(found_kind)

    check()
    assert kind in seen, f"no {kind} mutation was generated for {version}"
