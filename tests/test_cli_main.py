"""The `ocpp-toolkit` dispatcher: help, version, usage errors, cheap startup."""

import subprocess
import sys

import pytest
from test_cli_support import ROOT, cli_env, run_cli


def test_help_lists_the_commands():
    process = run_cli("--help")
    assert process.returncode == 0
    out = process.stdout.decode()
    assert out.startswith("usage: ocpp-toolkit")
    assert "validate" in out
    assert process.stderr == b""


def test_version():
    process = run_cli("--version")
    assert process.returncode == 0
    name, version = process.stdout.decode().split()
    assert name == "ocpp-toolkit"
    assert version[0].isdigit()


def test_no_command_is_a_usage_error():
    process = run_cli()
    assert process.returncode == 2
    assert b"the following arguments are required: COMMAND" in process.stderr
    assert b"Traceback" not in process.stderr


def test_unknown_command_is_a_usage_error():
    process = run_cli("frobnicate")
    assert process.returncode == 2
    assert b"invalid choice: 'frobnicate'" in process.stderr
    assert b"Traceback" not in process.stderr


def test_help_imports_nothing_heavy():
    # --help must stay fast: command modules import their heavy parts inside run().
    code = (
        "import sys\n"
        "from ocpp_cli.main import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('msgspec', 'ocpp_core', 'asyncio', 'logging', 'importlib.metadata')))\n"
        "assert not heavy, heavy\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True, check=False
    )
    assert process.returncode == 0, process.stderr.decode()


def test_a_reader_that_goes_away_is_no_traceback():
    # `| head -1` closes the pipe after one line; the rest of the output has nowhere to go.
    process = subprocess.run(
        [
            "bash",
            "-c",
            f'"{sys.executable}" -m ocpp_cli validate --ocpp 1.6 corpus/ocpp16.jsonl | head -1',
        ],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        check=False,
    )
    assert process.stdout == b'{"line": 1, "valid": true}\n'
    assert b"Traceback" not in process.stderr
    assert b"BrokenPipeError" not in process.stderr


# -- station: option combinations a scenario would ignore are refused up front ----------

STATION = ("station", "--csms", "ws://127.0.0.1:1/ocpp", "--ocpp", "1.6")


def test_a_refused_load_run_leaves_the_log_file_alone(tmp_path):
    log = tmp_path / "keep.jsonl"
    log.write_text("precious\n")
    process = run_cli(*STATION, "--scenario", "load", "--log", str(log))
    assert process.returncode == 2
    assert b"--log is not available with --scenario load" in process.stderr
    assert log.read_text() == "precious\n"


def test_a_refused_bad_run_leaves_the_log_file_alone(tmp_path):
    log = tmp_path / "keep.jsonl"
    log.write_text("precious\n")
    process = run_cli(*STATION, "--scenario", "bad", "--count", "2", "--log", str(log))
    assert process.returncode == 2
    assert b"runs one station" in process.stderr
    assert log.read_text() == "precious\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--scenario", "load", "--state-dir", "{tmp}/state"), "does not use --state-dir"),
        (("--scenario", "load", "--meter-values", "3"), "does not use --meter-values"),
        (("--scenario", "load", "--meter-interval", "1"), "does not use --meter-interval"),
        (("--scenario", "bad", "--state-dir", "{tmp}/state"), "does not use --state-dir"),
        (("--scenario", "bad", "--meter-values", "2"), "does not use --meter-values"),
        (("--scenario", "x.yaml", "--meter-interval", "1"), "does not use --meter-interval"),
        (("--scenario", "x.toml", "--state-dir", "{tmp}/state"), "does not use --state-dir"),
        (("--scenario", "charge", "--json"), "--json: only with --scenario load"),
        (("--duration", "3"), "--duration: only with --scenario load"),
        (("--scenario", "bad", "--json"), "--json: only with --scenario load"),
        (("--scenario", "boot", "--meter-values", "2"), "does not use --meter-values"),
        (("--scenario", "boot", "--meter-interval", "0"), "does not use --meter-interval"),
        (("--max-reconnect-delay", "5"), "--max-reconnect-delay: need --state-dir"),
        (("--message-attempts", "2"), "--message-attempts: need --state-dir"),
        (("--message-retry-interval", "2"), "--message-retry-interval: need --state-dir"),
    ],
)
def test_options_the_scenario_would_ignore_are_usage_errors(tmp_path, options, message):
    process = run_cli(*STATION, *(option.format(tmp=tmp_path) for option in options))
    assert process.returncode == 2, process.stdout + process.stderr
    assert message.encode() in process.stderr
    assert b"Traceback" not in process.stderr
    assert not (tmp_path / "state").exists()  # refused before --state-dir is created


def test_defaults_are_not_mistaken_for_given_options(tmp_path):
    # Only options the user typed are flagged: a load run with every default gets as far
    # as connecting (and fails there: nothing listens on port 1).
    process = run_cli(*STATION, "--scenario", "load", "--duration", "0.1", "--json")
    assert process.returncode == 1, process.stderr
    assert b"cannot connect" in process.stderr
