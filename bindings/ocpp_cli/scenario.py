"""Scenario files for `ocpp-toolkit csms --scenario FILE` and `station --scenario FILE`:
the models (pydantic v2) and the loader (YAML or TOML, chosen by the file's extension).

A scenario is an ordered list of steps, each a mapping with exactly one step key:

- `call: ACTION` send a CALL (`payload`, wire JSON of the version); check the answer:
  `status` (the response's top-level `status` is one of these), `error` (a CALLERROR
  with one of these codes), `match` (response fields, dotted paths), `timeout`.
- `expect: ACTION` the peer sends this CALL `within` seconds (`match`: its payload
  fields); it is answered with `respond` (wire JSON) or the simulator's accepting answer.
- `wait: SECONDS`.
- `raw: TEXT` send any text as one message, unchecked; `error` (a CALLERROR with one of
  these codes, under the frame's id or "-1"), or `no_answer: true`; `survive` (default
  true: the connection must still be open afterwards); `within` (default 5 s).

Everything wrong with a file is a `ScenarioError` (a usage error: exit status 2, one
line naming the file, the step and the field, never a traceback). What depends on the
OCPP version (actions, directions, payloads, error code spellings) is checked by
`check_for_version`, at load time when the file declares `ocpp:`, else once the version
is negotiated.
"""

import datetime
import os
import sys
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ocpp_cli.usage import UsageError

VERSIONS = ("1.6", "2.0.1", "2.1")
STEP_KEYS = ("call", "expect", "wait", "raw")
PACKAGES = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}


class ScenarioError(UsageError):
    """The scenario file cannot be used (exit status 2)."""


def _codes(value: Any) -> Any:
    # `error: NotImplemented` and `error: [NotImplemented, NotSupported]` both work.
    if isinstance(value, str):
        return (value,)
    return value


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallStep(_Step):
    call: str = Field(min_length=1)
    payload: dict[str, Any] = Field(default_factory=dict)
    status: Optional[tuple[str, ...]] = Field(default=None, min_length=1)
    error: Optional[tuple[str, ...]] = Field(default=None, min_length=1)
    match: dict[str, Any] = Field(default_factory=dict)
    timeout: float = Field(default=10.0, gt=0, le=3600)

    _codes = field_validator("status", "error", mode="before")(_codes)


class ExpectStep(_Step):
    expect: str = Field(min_length=1)
    within: float = Field(default=30.0, gt=0, le=86400)
    match: dict[str, Any] = Field(default_factory=dict)
    respond: Optional[dict[str, Any]] = None


class WaitStep(_Step):
    wait: float = Field(ge=0, le=3600)


class RawStep(_Step):
    raw: str = Field(min_length=1)
    error: Optional[tuple[str, ...]] = Field(default=None, min_length=1)
    no_answer: bool = False
    survive: bool = True
    within: float = Field(default=5.0, gt=0, le=3600)

    _codes = field_validator("error", mode="before")(_codes)


Step = Union[CallStep, ExpectStep, WaitStep, RawStep]
_MODELS: "dict[str, type[_Step]]" = {
    "call": CallStep,
    "expect": ExpectStep,
    "wait": WaitStep,
    "raw": RawStep,
}


class _Head(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ocpp: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = None
    steps: list[Any] = Field(min_length=1)

    @field_validator("ocpp", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # YAML reads `ocpp: 2.1` as a number
        if value is not None and value not in VERSIONS:
            raise ValueError(f"unknown OCPP version {value!r} (choose from {', '.join(VERSIONS)})")
        return value


class Scenario:
    """A loaded scenario: `steps` in order, `ocpp` (None: any version), `path`."""

    def __init__(self, path: str, ocpp: Optional[str], name: str, steps: "list[Step]") -> None:
        self.path = path
        self.ocpp = ocpp
        self.name = name
        self.steps = steps


# -- loading -------------------------------------------------------------------------------


def load_scenario(path: str, side: str) -> Scenario:
    """Read and validate `path` (`.yaml`/`.yml` or `.toml`) for `side` ("csms" or
    "station"). Raises ScenarioError."""
    data = _parse(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping with a 'steps' list")
    try:
        head = _Head.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{path}: {_describe(exc)}") from None
    steps = [_step(path, number, raw) for number, raw in enumerate(head.steps, 1)]
    name = head.name or os.path.basename(path)
    scenario = Scenario(path, head.ocpp, name, steps)
    if head.ocpp is not None:
        check_for_version(scenario, head.ocpp, side)
    return scenario


def _parse(path: str) -> Any:
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".yaml", ".yml", ".toml"):
        raise ScenarioError(f"{path}: a scenario file ends in .yaml, .yml or .toml")
    try:
        with open(path, "rb") as stream:
            content = stream.read()
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    if extension == ".toml":
        return _jsonable(_parse_toml(path, text))
    return _parse_yaml(path, text)


def _parse_toml(path: str, text: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def _parse_yaml(path: str, text: str) -> Any:
    import yaml  # type: ignore[import-untyped]

    # Payloads are wire JSON: a date-time stays the string written, so no timestamp
    # resolver (PyYAML would turn `2026-01-01T00:00:00Z` into a datetime).
    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # YAML keeps the last of a key written twice; `{type: Hard, type: Soft}`
            # is a mistake to show, not to guess at. (Merge keys `<<` may repeat.)
            seen: set[Any] = set()
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # unhashable: the base constructor says so
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key {key!r}",
                        key_node.start_mark,
                    )
            return super().construct_mapping(node, deep=deep)

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" (line {mark.line + 1}, column {mark.column + 1})"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}: not valid YAML{where}: {problem}") from None


def _jsonable(value: Any) -> Any:
    """TOML date-times become RFC 3339 strings, as payloads carry them on the wire."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def _step(path: str, number: int, raw: Any) -> Step:
    where = f"{path}: step {number}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a step is a mapping with one of: {', '.join(STEP_KEYS)}")
    kinds = [key for key in STEP_KEYS if key in raw]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        raise ScenarioError(
            f"{where}: a step has exactly one of {', '.join(STEP_KEYS)} (found {found})"
        )
    kind = kinds[0]
    model = _MODELS[kind]
    for field, value in raw.items():
        problem = _not_text(value, str(field))
        if problem is not None:
            raise ScenarioError(f"{where} ({kind}): field {problem}")
    try:
        step = model.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(f"{where} ({kind}): {_describe(exc, model)}") from None
    if isinstance(step, RawStep) and step.no_answer and step.error is not None:
        raise ScenarioError(f"{where} (raw): field 'no_answer': cannot be true with 'error'")
    return step  # type: ignore[return-value]


def _not_text(value: Any, path: str) -> Optional[str]:
    """Where in `value` a string (or key) has a lone surrogate, and which: YAML's
    "\\ud800" escape makes one, and it has no UTF-8, so no message can carry it. None
    when all is text."""

    def surrogate(text: str) -> Optional[str]:
        for char in text:
            if "\ud800" <= char <= "\udfff":
                return f"a lone surrogate (\\u{ord(char):04x}) is not text"
        return None

    if isinstance(value, str):
        problem = surrogate(value)
        return None if problem is None else f"'{path}': {problem}"
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                problem = surrogate(key)
                if problem is not None:
                    return f"'{path}' (a key): {problem}"
            found = _not_text(item, f"{path}.{key}")
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _not_text(item, f"{path}.{index}")
            if found is not None:
                return found
    return None


def _describe(exc: ValidationError, model: "Optional[type[BaseModel]]" = None) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = error["msg"]
    if error["type"] == "extra_forbidden" and model is not None:
        message += f" (allowed: {', '.join(model.model_fields)})"
    more = len(exc.errors()) - 1
    return f"field '{field}': {message}" + (f" (and {more} more)" if more else "")


# -- what depends on the version -------------------------------------------------------------


def check_for_version(scenario: Scenario, version: str, side: str) -> None:
    """Check every step against OCPP `version` for a simulator on `side`: the actions
    exist and go the right way, payloads and responses are valid, error codes are the
    version's. Raises ScenarioError naming the step and the field."""
    import importlib

    from ocpp_core import versions
    from ocpp_core.codec import Codec
    from ocpp_core.errors import RemoteProtocolError

    schema = importlib.import_module(f"ocpp_core.{PACKAGES[version]}.schema")
    codec = Codec(version)
    peer = "station" if side == "csms" else "csms"
    for number, step in enumerate(scenario.steps, 1):
        where = f"{scenario.path}: step {number}"
        if isinstance(step, (CallStep, RawStep)) and step.error is not None:
            for code in step.error:
                if not versions.is_error_code(version, code):
                    raise ScenarioError(
                        f"{where}: field 'error': {code!r} is not an OCPP {version} error "
                        f"code (one of: {', '.join(sorted(versions.ERROR_CODES[version]))})"
                    )
        if isinstance(step, CallStep):
            sender, action = side, step.call
            field = "call"
        elif isinstance(step, ExpectStep):
            sender, action = peer, step.expect
            field = "expect"
        else:
            continue
        spec = schema.ACTIONS.get(action)
        if spec is None or spec[2] is None:
            raise ScenarioError(
                f"{where}: field '{field}': {action!r} is not a CALL action of OCPP {version}"
            )
        if spec[0] not in (sender, "both"):
            raise ScenarioError(
                f"{where}: field '{field}': {action} is sent by the {spec[0]} in OCPP "
                f"{version}, not by the {sender}"
            )
        try:
            if isinstance(step, CallStep):
                field = "payload"
                codec.decode_request(action, step.payload)
            elif step.respond is not None:
                field = "respond"
                codec.decode_response(action, step.respond)
        except RemoteProtocolError as exc:
            violation = exc.violation
            raise ScenarioError(
                f"{where}: field '{field}': not a valid OCPP {version} {action} "
                f"{'request' if field == 'payload' else 'response'}: {violation.message}"
            ) from None


def field_at(payload: Any, dotted: str) -> "tuple[bool, Any]":
    """(found, value) of a dotted path (`idToken.idToken`, `meterValue.0.timestamp`)."""
    value = payload
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def mismatches(payload: Any, wanted: "dict[str, Any]") -> "list[str]":
    """What in `payload` differs from the `match` table (empty: it matches)."""
    problems = []
    for dotted, expected in wanted.items():
        found, value = field_at(payload, dotted)
        if not found:
            problems.append(f"{dotted} missing")
        elif value != expected:
            problems.append(f"{dotted} is {value!r}, not {expected!r}")
    return problems
