"""Helpers of tests/test_docs_site.py (no tests here): the pages of the documentation
site, their fenced code blocks, and the runners of the blocks this suite runs itself."""

import functools
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MKDOCS_YML = ROOT / "mkdocs.yml"
# Separates the output of one block (or one console command) from the next.
MARK = "\x1e"
DOCS_PORT = "9000"  # the port the console pages name; a free one is used instead
# Runs a page's program: the given names, then the blocks, compiled under the page's
# path so that a traceback names the .md line.
DRIVER = """
import json, sys
spec = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": spec["name"]}
exec(compile(spec["given"], "<given>", "exec"), namespace)
exec(compile(spec["program"], spec["path"], "exec"), namespace)
"""


class Block(NamedTuple):
    page: str  # file name under docs/
    line: int  # line number of the opening fence (1-based)
    language: str  # first word after the fence: python, console, text, ... ("" if none)
    tag: str  # the rest of the fence line (```python asyncio -> "asyncio")
    code: str  # the lines between the fences, joined with "\n"

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([^`\s]*)[ \t]*(.*?)[ \t]*$")


def fenced_blocks(page: str, text: str) -> "list[Block]":
    """Every fenced code block of a Markdown text, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        number += 1
        if opening is None:
            continue
        fence, language, tag = opening.groups()
        start, body = number, []
        while number < len(lines) and lines[number].strip() != fence:
            body.append(lines[number])
            number += 1
        assert number < len(lines), f"docs/{page}:{start}: a code block is left open"
        number += 1
        blocks.append(Block(page, start, language, tag, "\n".join(body)))
    return blocks


def nav_pages() -> "list[str]":
    """The pages of mkdocs.yml's nav, in order."""
    config = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, list):
            for entry in item:
                walk(entry)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)

    walk(config["nav"])
    return found


def load_module(relative_path: str) -> ModuleType:
    """A module of the repository loaded from its path, under a name of its own (so
    that it never replaces the module pytest collected)."""
    path = ROOT / relative_path
    name = "docs_site_" + re.sub(r"\W", "_", relative_path.removesuffix(".py"))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, relative_path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def hooks() -> ModuleType:
    return load_module("tools/mkdocs_hooks.py")


def page_exists(page: str) -> bool:
    return page == hooks().CLI_REFERENCE or (DOCS / page).is_file()


@functools.cache
def page_text(page: str) -> str:
    """A page's Markdown: the file under docs/, or what the hooks generate."""
    if page == hooks().CLI_REFERENCE:
        return str(hooks().cli_reference_markdown())
    return (DOCS / page).read_text(encoding="utf-8")


def python_env() -> "dict[str, str]":
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "bindings"), str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    env.pop("PYTHONWARNINGS", None)
    return env


def padded(block: Block) -> str:
    """The block's code after blank lines, so that a traceback names the .md line."""
    return "\n" * block.line + block.code + "\n"


def run_python_program(page: str, blocks: "list[Block]", given: str, workdir: Path) -> "list[str]":
    """Run `blocks` in order as one program (after `given`, the names the page leaves
    to the reader) in a fresh interpreter; return each block's stdout."""
    lines = [""] * (max(block.line + block.code.count("\n") + 2 for block in blocks) + 1)
    for block in blocks:
        for offset, line in enumerate(block.code.split("\n")):
            lines[block.line + offset] = line
        # On the closing fence's line: mark the end of this block's output.
        lines[block.line + block.code.count("\n") + 1] = f"print({MARK!r}, end='')"
    spec = workdir / "docs_program.json"
    spec.write_text(
        json.dumps(
            {
                "name": "docs_" + Path(page).stem.replace("-", "_"),
                "given": given,
                "program": "\n".join(lines),
                "path": f"docs/{page}",
            }
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(spec)],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=python_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"docs/{page}: the program failed\n{done.stderr}"
    outputs = done.stdout.split(MARK)
    assert len(outputs) == len(blocks) + 1 and outputs[-1] == "", done.stdout
    return outputs[:-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def console_commands(blocks: "list[Block]") -> "list[tuple[Block, str, str]]":
    """(block, command, expected output) of every `$ ` line of console blocks."""
    commands: list[tuple[Block, str, str]] = []
    for block in blocks:
        current: list[str] | None = None
        for line in block.code.split("\n"):
            if line.startswith("$ "):
                current = []
                commands.append((block, line[2:], ""))
            else:
                assert current is not None, f"{block.where}: output before any command"
                current.append(line)
                last = commands[-1]
                commands[-1] = (last[0], last[1], "\n".join(current))
    return commands


def run_console_session(
    commands: "list[str]", workdir: Path, bin_dir: Path, timeout: float = 90
) -> "list[str]":
    """Run the commands in one bash session (background jobs live on from one command
    to the next), stdout and stderr together; return each command's output. Every
    process the session leaves behind is killed."""
    port = str(free_port())
    script = ["exec 2>&1"]
    for command in commands:
        script += [command.replace(DOCS_PORT, port), f"printf '{MARK}'"]
    env = python_env()
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["COLUMNS"] = "80"
    process = subprocess.Popen(
        ["bash", "-c", "\n".join(script)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    outputs = output.decode("utf-8").replace(port, DOCS_PORT).split(MARK)
    assert len(outputs) == len(commands) + 1, output
    return [text.rstrip("\n") for text in outputs[:-1]]
