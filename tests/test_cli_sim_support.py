"""Shared helpers of the simulator CLI tests (no tests here): a background
`ocpp-toolkit csms` on loopback, and running other commands as subprocesses."""

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_cli_support import ROOT, cli_env


def cli(*args: str, timeout: float = 60) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "ocpp_cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cli_env(),
        timeout=timeout,
        check=False,
    )


class BackgroundCsms:
    """`ocpp-toolkit csms --port 0 ...` in the background; `url` once it listens."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ocpp_cli", "csms", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=cli_env(),
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        assert first.startswith("listening on "), first + self.process.stderr.read()
        # "listening on ws://127.0.0.1:PORT/ocpp/<identity> (OCPP ...)"
        self.url = first.split()[2].replace("<identity>", "").rstrip("/")
        self.port = int(self.url.split(":")[2].split("/")[0])

    def stop(self, signum: int = signal.SIGINT) -> "tuple[int, str, str]":
        """Signal it, wait; (exit status, rest of stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        stdout, stderr = self.process.communicate(timeout=20)
        return self.process.returncode, stdout, stderr


def log_records(path: Path) -> "list[dict[str, Any]]":
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def write_records(path: Path, records: "list[dict[str, Any]]") -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def no_traceback(process: "subprocess.CompletedProcess[str]") -> bool:
    return "Traceback" not in process.stderr and "Traceback" not in process.stdout
