"""The `ocpp-toolkit` dispatcher: help, version, usage errors, cheap startup."""

import subprocess
import sys

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
