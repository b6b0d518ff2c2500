"""The documentation site (mkdocs.yml): it builds under `mkdocs build --strict`, its
nav holds every page of docs/, and every fenced code block of every page is run by a
test or is data that parses.

How a block is accounted for, by its language (the first word after the fence):

- `text` and no language: shown, not run. `json`, `toml`, `yaml`: data, must parse.
- `python` and `console` blocks of the pages in RUN_ELSEWHERE are run by the test named
  there; this module checks, with that test's own extraction, that each block is among
  what it runs.
- On every other page this module runs them itself:
  - `python` blocks: in order, as one program (after GIVEN[page], the names an API
    sketch leaves to the reader); a ```text output block right after a python block is
    what that block prints (`...` stands for any text);
  - `python micropython` blocks: each alone, on MicroPython 1.27 (tests/micropython/
    run.mjs) and on CPython; both print the same, and the ```text output after it;
  - `console` blocks: together, as one bash session in an empty directory, each
    `$ command` followed by its output, as in docs/cli.md; port 9000 becomes a free one.
- Anything else (a block tagged for a runner that is not registered, `sh`, ...) fails.
"""

import doctest
import inspect
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest
import yaml
from docs_site_support import (
    DOCS,
    MKDOCS_YML,
    ROOT,
    Block,
    console_commands,
    fenced_blocks,
    hooks,
    load_module,
    nav_pages,
    padded,
    page_exists,
    page_text,
    run_console_session,
    run_python_program,
)

pytestmark = pytest.mark.timeout(120)

SHOWN = {"", "text"}
RUN_HERE = {("python", ""), ("python", "micropython"), ("console", "")}


def json_text_or_lines(code: str) -> object:
    """A json block is one JSON text, or JSON lines (the CLI's output format)."""
    try:
        return json.loads(code)
    except ValueError:
        return [json.loads(line) for line in code.splitlines() if line.strip()]


def toml_text(code: str) -> object:
    try:
        import tomllib
    except ImportError:  # Python 3.10: the tomli backport (a dependency there)
        import tomli as tomllib

    return tomllib.loads(code)


DATA: "dict[str, Callable[[str], object]]" = {
    "json": json_text_or_lines,
    "toml": toml_text,
    "yaml": yaml.safe_load,
}


class RunElsewhere(NamedTuple):
    test: str  # "tests/FILE.py::function" that runs the blocks
    runs: "Callable[[Block, str, ModuleType], bool]"  # (block, page text, its module)
    # True: this module runs the page's other blocks of the language (an API sketch
    # among doctests); False: every block must be among what the test runs.
    others_here: bool = False


def run_by(entry: RunElsewhere, block: Block, text: str) -> bool:
    try:
        return entry.runs(block, text, runner(entry))
    except AssertionError:  # the runner's own extraction refuses the page
        return False


def in_quickstart_program(block: Block, text: str, module: ModuleType) -> bool:
    """test_quickstarts.python_of keeps the python lines at their line numbers."""
    program = module.python_of(text).split("\n")
    lines = block.code.split("\n")
    return block.tag == "" and program[block.line : block.line + len(lines)] == lines


def in_binding_blocks(block: Block, text: str, module: ModuleType) -> bool:
    return bool(module.blocks(text).get(block.tag) == block.code)


def in_tagged_programs(block: Block, text: str, module: ModuleType) -> bool:
    """test_docs_one_csms.blocks gives each tag's program, padded to the .md lines."""
    program = module.blocks(text).get(block.tag, "").split("\n")
    return bool(block.tag) and program[block.line :] == block.code.split("\n")


def in_cli_console_examples(block: Block, text: str, module: ModuleType) -> bool:
    examples = {(number, command) for number, command, _ in module.console_examples()}
    commands = [
        (block.line + 1 + offset, line[2:])
        for offset, line in enumerate(block.code.split("\n"))
        if line.startswith("$ ")
    ]
    return bool(commands) and all(command in examples for command in commands)


def is_doctest(block: Block, text: str, module: ModuleType) -> bool:
    """doctest.testfile runs every `>>>` example of the page: the block must be one."""
    first = next((line for line in block.code.split("\n") if line.strip()), "")
    examples = doctest.DocTestParser().get_examples(block.code)
    return (
        first.startswith(">>> ") and bool(examples) and "doctest.testfile" in module_source(module)
    )


QUICKSTARTS = RunElsewhere(
    "tests/interop/test_quickstarts.py::test_quickstart_station_against_quickstart_csms",
    in_quickstart_program,
)
# page -> language -> the test that runs that page's blocks of that language.
RUN_ELSEWHERE: "dict[str, dict[str, RunElsewhere]]" = {
    "cli.md": {
        "console": RunElsewhere(
            "tests/test_cli_docs.py::test_console_example", in_cli_console_examples
        )
    },
    "quickstart-csms.md": {"python": QUICKSTARTS},
    "quickstart-station.md": {"python": QUICKSTARTS},
    "bindings.md": {
        "python": RunElsewhere(
            "tests/bindings/test_bindings_doc.py::test_the_station_controller_of_each_binding",
            in_binding_blocks,
        )
    },
    "one-csms.md": {
        "python": RunElsewhere(
            "tests/test_docs_one_csms.py::test_the_csms_and_the_station_programs_against_each_other",
            in_tagged_programs,
        )
    },
    "quirks.md": {
        "python": RunElsewhere(
            "tests/test_quirks.py::test_docs_quirks_examples_run", is_doctest, others_here=True
        )
    },
    "error-codes.md": {
        "python": RunElsewhere(
            "tests/test_validator.py::test_docs_error_codes_example_runs",
            is_doctest,
            others_here=True,
        )
    },
}

# What an API sketch leaves to the reader (a received text, the time, a request), so
# that this module can run it.
GIVEN = {
    "quirks.md": (
        "payload = {'chargePointVendor': 'ACME', 'chargePointModel': 'Wallbox',"
        " 'chargePointSerialNumber': 'SN-0123456789-0123456789-XYZ'}\n"
    ),
    "rpc.md": 'text = \'[2,"19","Heartbeat",{}]\'\nnow = 0.0\n',
    "websocket.md": (
        "from ocpp_core.testing import ConnectionPair\n"
        "from ocpp_core.v201 import messages as m\n"
        "from ocpp_core.ws import CsmsConfig, StationConfig\n"
        "station_config = StationConfig(url='ws://csms.example/ocpp', identity='CP1',"
        " versions=('2.0.1',))\n"
        "csms_config = CsmsConfig(path_prefix='/ocpp/', versions=('2.0.1',))\n"
        "request = m.HeartbeatRequest()\n"
    ),
    "generic.md": (
        "import datetime\n"
        "import ocpp_core.generic as G\n"
        "now = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)\n"
        "request = G.HeartbeatRequest()\n"
    ),
}

NAV = nav_pages()
# A page of the nav that is missing fails test_the_nav_has_every_page_of_docs.
PAGES = [page for page in NAV if page_exists(page)]
BLOCKS = {page: fenced_blocks(page, page_text(page)) for page in PAGES}


def module_source(module: ModuleType) -> str:
    return inspect.getsource(module)


def runner(entry: RunElsewhere) -> ModuleType:
    path, function = entry.test.split("::")
    module = load_module(path)
    assert callable(getattr(module, function, None)), f"{entry.test} does not exist"
    return module


def run_here(page: str, language: str, text: "str | None" = None) -> "list[Block]":
    """The blocks of `language` on `page` (or on `text`, a version of it) that this
    module runs."""
    text = page_text(page) if text is None else text
    entry = RUN_ELSEWHERE.get(page, {}).get(language)
    blocks = [block for block in fenced_blocks(page, text) if block.language == language]
    if entry is None:
        return blocks
    if entry.others_here:
        return [block for block in blocks if not run_by(entry, block, text)]
    return []


def is_output(block: Block) -> bool:
    return block.language == "text" and block.tag == "output"


def expected_outputs(page: str, tag: str) -> "dict[int, str]":
    """{index among the python blocks with `tag` run here: the text output after it}."""
    found: dict[int, str] = {}
    blocks = BLOCKS[page]
    runs = [block for block in run_here(page, "python") if block.tag == tag]
    for before, after in itertools.pairwise(blocks):
        if is_output(after) and before in runs:
            found[runs.index(before)] = after.code
    return found


def matches(expected: str, output: str) -> bool:
    return bool(load_module("tests/test_cli_docs.py").matches(expected, output))


# --------------------------------------------------------------------------- the site


def test_the_site_builds_strict_with_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(MKDOCS_YML),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for page in PAGES:
        html = site / (
            "index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html"
        )
        assert html.is_file(), page
        # A fence the Markdown extensions did not take for one shows up as text.
        assert "```" not in html.read_text(encoding="utf-8"), f"{page}: a fence was not rendered"
    bindings = (site / "bindings" / "index.html").read_text(encoding="utf-8")
    assert bindings.count('<span class="filename">') == 3  # the asyncio, trio, threads tags


def test_the_nav_has_every_page_of_docs() -> None:
    on_disk = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
    generated = [hooks().CLI_REFERENCE]
    assert [page for page in NAV if not page_exists(page)] == [], "missing from docs/"
    assert sorted(set(NAV) - set(generated)) == on_disk
    assert len(NAV) == len(set(NAV)), "a page is twice in the nav"
    assert NAV[0] == "index.md"


def test_data_files_in_docs_parse() -> None:
    """Files the pages point to (docs/examples/ scenarios) are data: they must parse."""
    languages = {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
    for path in sorted(DOCS.rglob("*")):
        if path.suffix in languages:
            DATA[languages[path.suffix]](path.read_text(encoding="utf-8"))


def test_the_cli_reference_has_every_command_help() -> None:
    text = page_text(hooks().CLI_REFERENCE)
    commands = hooks().cli_commands()
    assert {"validate", "csms", "station", "demo"} <= set(commands)
    for command in commands:
        assert f"## `ocpp-toolkit {command}`\n\n```text\nusage: ocpp-toolkit {command} " in text
    assert "```text\nusage: ocpp-toolkit [-h]" in text


def test_tagged_fences_get_a_title() -> None:
    title = hooks().title_tagged_fences
    assert title("```python asyncio\nx\n```") == '```python title="asyncio"\nx\n```'
    assert title("  ~~~text output") == '  ~~~text title="output"'
    assert title('```python title="x"') == '```python title="x"'
    assert title("```python") == "```python"


# --------------------------------------------------------------------------- every block


def unaccounted(page: str, text: str) -> "list[str]":
    """What is wrong with the code blocks of a page: blocks that no test runs, data that
    does not parse, output blocks that nothing compares."""
    problems = []
    blocks = fenced_blocks(page, text)
    for index, block in enumerate(blocks):
        elsewhere = RUN_ELSEWHERE.get(page, {}).get(block.language)
        if elsewhere is not None and run_by(elsewhere, block, text):
            if page not in module_source(runner(elsewhere)):
                problems.append(f"{elsewhere.test} does not name {page}")
        elif elsewhere is not None and not elsewhere.others_here:
            problems.append(
                f"{block.where}: a ```{block.language} {block.tag} block that "
                f"{elsewhere.test} does not run"
            )
        elif block.language in DATA:
            try:
                DATA[block.language](block.code)
            except (ValueError, yaml.YAMLError) as error:
                problems.append(f"{block.where}: not {block.language}: {error}")
        elif is_output(block):
            before = blocks[index - 1] if index else None
            if before is None or before not in run_here(page, "python", text):
                problems.append(f"{block.where}: an output block after no python block run here")
        elif block.language in SHOWN:
            if block.tag:
                problems.append(f"{block.where}: a tagged ```{block.language} block")
        elif (block.language, block.tag) not in RUN_HERE:
            problems.append(
                f"{block.where}: a ```{block.language} {block.tag} block no test runs "
                "(see tests/test_docs_site.py)"
            )
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_every_block_is_run_or_shown_or_parses(page: str) -> None:
    assert unaccounted(page, page_text(page)) == []


def test_the_registry_names_real_tests() -> None:
    for page, languages in RUN_ELSEWHERE.items():
        for language, entry in languages.items():
            assert page in BLOCKS, f"{page} is not in the nav"
            assert any(block.language == language for block in BLOCKS[page]), (page, language)
            runner(entry)


def test_a_new_block_that_no_test_runs_is_caught() -> None:
    # Untagged on pages whose runner picks blocks by tag; tagged where it takes only
    # untagged ones.
    for page, tag in (("bindings.md", ""), ("one-csms.md", ""), ("quickstart-csms.md", "x")):
        text = page_text(page) + f"\n```python {tag}\nprint('new')\n```\n"
        line = text.count("\n") - 2
        # (test_bindings_doc refuses the whole page then: every block is reported.)
        assert (
            f"docs/{page}:{line}: a ```python {tag} block that "
            f"{RUN_ELSEWHERE[page]['python'].test} does not run"
        ) in unaccounted(page, text)
    new_python = "\n```python\nprint('new')\n```\n"
    # Among doctests, a block that is not one is run here, like any other page's.
    text = page_text("quirks.md") + new_python
    assert unaccounted("quirks.md", text) == []
    assert run_here("quirks.md", "python", text)[-1].code == "print('new')"
    for block in ("```sh\nmake test\n```", "```python trio\nx\n```", "```text output\nx\n```"):
        assert len(unaccounted("index.md", "# Title\n\n" + block + "\n")) == 1
    assert unaccounted("index.md", '```json\n{"a": 1}\n{"b": 2}\n```\n') == []
    assert len(unaccounted("index.md", '```json\n{"a": 1,}\n```\n')) == 1


# --------------------------------------------------------------------------- run here

PYTHON_PAGES = [page for page in PAGES if any(b.tag == "" for b in run_here(page, "python"))]
MICROPYTHON_BLOCKS = [
    block for page in PAGES for block in run_here(page, "python") if block.tag == "micropython"
]
CONSOLE_PAGES = [page for page in PAGES if run_here(page, "console")]


def test_this_module_runs_the_pages_it_should() -> None:
    assert {"index.md", "quickstart-firmware.md", "rpc.md", "websocket.md"} <= set(PYTHON_PAGES)
    assert "quickstart-firmware.md" in [block.page for block in MICROPYTHON_BLOCKS]
    assert "quickstart-test-engineer.md" in CONSOLE_PAGES


@pytest.mark.parametrize("page", PYTHON_PAGES)
def test_python_blocks_run(page: str, tmp_path: Path) -> None:
    blocks = [block for block in run_here(page, "python") if block.tag == ""]
    outputs = run_python_program(page, blocks, GIVEN.get(page, ""), tmp_path)
    for index, expected in expected_outputs(page, "").items():
        assert matches(expected, outputs[index].rstrip("\n")), (
            f"{blocks[index].where} printed:\n{outputs[index]}"
        )


@pytest.mark.parametrize("block", MICROPYTHON_BLOCKS, ids=lambda block: block.where)
def test_micropython_blocks_run_on_micropython_and_cpython(block: Block, tmp_path: Path) -> None:
    test_micropython = load_module("tests/test_micropython.py")
    script = tmp_path / "docs_block.py"
    script.write_text(padded(block), encoding="utf-8")
    on_micropython = test_micropython.ok(test_micropython.run_mp(str(script)))
    on_cpython = test_micropython.ok(test_micropython.run_cpython(script))
    assert on_micropython == on_cpython
    index = [b for b in run_here(block.page, "python") if b.tag == "micropython"].index(block)
    expected = expected_outputs(block.page, "micropython")
    assert index in expected, f"{block.where}: show its output in a ```text output block"
    assert matches(expected[index], on_micropython.rstrip("\n")), (
        f"{block.where} printed:\n{on_micropython}"
    )


@pytest.fixture(scope="module")
def cli_on_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bin_dir = tmp_path_factory.mktemp("bin")
    shim = bin_dir / "ocpp-toolkit"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ocpp_cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize("page", CONSOLE_PAGES)
def test_console_blocks_run_as_one_session(page: str, tmp_path: Path, cli_on_path: Path) -> None:
    commands = console_commands(run_here(page, "console"))
    outputs = run_console_session([command for _, command, _ in commands], tmp_path, cli_on_path)
    for (block, command, expected), output in zip(commands, outputs, strict=True):
        assert "Traceback" not in output, f"{block.where}: $ {command}\n{output}"
        assert matches(expected, output), f"{block.where}: $ {command}\n{output}"
