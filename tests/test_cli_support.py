"""Shared helpers of the CLI tests (no tests here): run `ocpp-toolkit` as a subprocess.

`python -m ocpp_cli` with bindings/ and the repository root on PYTHONPATH works both
before and after `pip install -e .` (the console script is the same `main`).
"""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

try:  # installed (pip install -e .), or straight from the source tree
    import ocpp_cli  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "bindings"))
CORPUS = ROOT / "corpus"
CORPUS_FILES = {"1.6": "ocpp16.jsonl", "2.0.1": "ocpp201.jsonl", "2.1": "ocpp21.jsonl"}
VERSIONS = ("1.6", "2.0.1", "2.1")

try:  # the msgspec codec; the pure-Python one is always there (same convention as RPC tests)
    import ocpp_core.codec  # noqa: F401

    CODECS: "tuple[str, ...]" = ("fast", "pure")
except ImportError:
    CODECS = ("pure",)


def cli_env() -> "dict[str, str]":
    env = dict(os.environ)
    paths = [str(ROOT / "bindings"), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("PYTHONWARNINGS", None)
    return env


def run_cli(*args: str, stdin: "bytes | None" = None) -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run(
        [sys.executable, "-m", "ocpp_cli", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=ROOT,
        env=cli_env(),
        timeout=300,
        check=False,
    )


def results(process: "subprocess.CompletedProcess[bytes]") -> "list[dict[str, object]]":
    """The JSON objects the CLI printed on stdout, one per line (each must parse)."""
    return [json.loads(line) for line in process.stdout.decode("utf-8").splitlines()]


@functools.cache
def corpus_records(version: str) -> "tuple[dict[str, str], ...]":
    """The corpus lines of `version`, parsed (cached: treat them as read-only)."""
    path = CORPUS / CORPUS_FILES[version]
    with path.open(encoding="utf-8") as lines:
        return tuple(json.loads(line) for line in lines)


def corpus_pair(version: str, action: str) -> "tuple[dict[str, object], dict[str, object]]":
    """(request payload, response payload) of the first `action` CALL in the corpus."""
    records = corpus_records(version)
    for index, record in enumerate(records):
        frame = json.loads(record["frame"])
        if frame[0] == 2 and frame[2] == action:
            answer = json.loads(records[index + 1]["frame"])
            assert answer[0] == 3 and answer[1] == frame[1]
            return frame[3], answer[2]
    raise LookupError(f"no {action} CALL in the {version} corpus")


def log_validator(version: str, codec: str) -> "Any":
    """An `ocpp_cli.validate.LogValidator` (imported here, after the path is set)."""
    from ocpp_cli.validate import LogValidator

    return LogValidator(version, codec)
