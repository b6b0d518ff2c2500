"""Every ```console block of docs/cli.md runs, and prints what the page says.

A block is a list of `$ command` lines, each followed by its expected output (stdout
and stderr together, as a terminal shows them). In the expected output `...` stands
for any text, across lines too. Commands run in bash from the repository root, with
`ocpp-toolkit` on PATH (a shim to `python -m ocpp_cli`, so no install is needed).
"""

import re
import subprocess
import sys

import pytest
from test_cli_support import ROOT, cli_env

DOC = ROOT / "docs" / "cli.md"


def console_examples() -> "list[tuple[int, str, str]]":
    """(line number, command, expected output) of every command in a console block."""
    examples: list[tuple[int, str, str]] = []
    lines = DOC.read_text(encoding="utf-8").splitlines()
    inside = False
    command: tuple[int, str] | None = None
    expected: list[str] = []

    def close() -> None:
        if command is not None:
            examples.append((command[0], command[1], "\n".join(expected)))

    for number, line in enumerate(lines, 1):
        if not inside:
            inside = line.strip() == "```console"
            command, expected = None, []
            continue
        if line.strip() == "```":
            close()
            inside = False
        elif line.startswith("$ "):
            close()
            command, expected = (number, line[2:]), []
        else:
            assert command is not None, f"docs/cli.md:{number}: output before any command"
            expected.append(line)
    assert not inside, "docs/cli.md: unclosed console block"
    return examples


EXAMPLES = console_examples()


def matches(expected: str, output: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, output, re.DOTALL) is not None


@pytest.fixture(scope="module")
def shim_path(tmp_path_factory):
    bin_dir = tmp_path_factory.mktemp("bin")
    shim = bin_dir / "ocpp-toolkit"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ocpp_cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


def test_the_page_has_examples():
    commands = [command for _, command, _ in EXAMPLES]
    assert len(commands) >= 10
    assert any("validate" in command and "corpus/" in command for command in commands)


@pytest.mark.parametrize(
    ("number", "command", "expected"),
    EXAMPLES,
    ids=[f"line{number}" for number, _, _ in EXAMPLES],
)
def test_console_example(shim_path, number, command, expected):
    env = cli_env()
    env["PATH"] = f"{shim_path}:{env['PATH']}"
    process = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=120,
        check=False,
    )
    output = process.stdout.decode("utf-8").rstrip("\n")
    assert "Traceback" not in output
    assert matches(expected, output), f"docs/cli.md:{number}: $ {command}\n{output}"


def test_matches_is_strict_outside_the_ellipsis():
    assert matches('{"line": 1, "message": "..."}', '{"line": 1, "message": "x y"}')
    assert not matches('{"line": 1, "message": "..."}', '{"line": 2, "message": "x"}')
    assert not matches("exit status 0", "exit status 0\nmore")
    assert matches("usage: a\n...\nerror: b", "usage: a\n  c\n  d\nerror: b")
