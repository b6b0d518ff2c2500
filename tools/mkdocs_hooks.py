"""mkdocs hooks of the documentation site (`hooks:` in mkdocs.yml).

- A fence with a word after its language (```python asyncio: the tags
  tests/bindings/test_bindings_doc.py picks blocks by) is not a fence to
  pymdownx.superfences, which would print it as a paragraph. The hook shows such a word
  as the block's title instead; the Markdown source stays as the tests read it.
- `cli-reference.md` is generated at build time from `ocpp-toolkit [COMMAND] --help`,
  so it cannot disagree with the program.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI_REFERENCE = "cli-reference.md"
# argparse wraps help text at the terminal width: fix it, so the page is the same on
# every machine.
HELP_COLUMNS = "88"

# ```LANG WORD -> ```LANG title="WORD"; a fence with attributes (`=`) is left alone.
TAGGED_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})([\w#.+-]+)[ \t]+([A-Za-z][\w-]*)[ \t]*$", re.M)


def title_tagged_fences(markdown: str) -> str:
    return TAGGED_FENCE.sub(r'\1\2\3 title="\4"', markdown)


def _cli(*args: str) -> str:
    env = dict(os.environ, COLUMNS=HELP_COLUMNS)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "bindings"), str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout


def cli_commands() -> "list[str]":
    """The subcommands of `ocpp-toolkit`, in the order its --help lists them."""
    code = "from ocpp_cli.main import COMMANDS; print(*COMMANDS)"
    return _cli("-c", code).split()


def cli_reference_markdown() -> str:
    parts = [
        "# Command line: every `--help`",
        "",
        "The help of `ocpp-toolkit` and of each of its commands, exactly as the program",
        "prints it: this page is generated from it whenever the site is built",
        "(`tools/mkdocs_hooks.py`). The guide with examples is [Command line](cli.md).",
    ]
    for command in ["", *cli_commands()]:
        words = ["ocpp-toolkit", command] if command else ["ocpp-toolkit"]
        parts += ["", f"## `{' '.join(words)}`", "", "```text"]
        parts.append(_cli("-m", "ocpp_cli", *words[1:], "--help").rstrip("\n"))
        parts.append("```")
    return "\n".join(parts) + "\n"


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    files.append(File.generated(config, CLI_REFERENCE, content=cli_reference_markdown()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return title_tagged_fences(markdown)
