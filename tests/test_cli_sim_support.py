"""Shared helpers of the simulator CLI tests (no tests here): a background
`ocpp-toolkit csms` on loopback, and running other commands as subprocesses."""

import json
import signal
import subprocess
import sys
import tempfile
import time
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
    """`ocpp-toolkit csms --port 0 ...` in the background; `url` once it listens. Its
    output goes to a file, not a pipe, so a chatty run never blocks on a full pipe."""

    def __init__(self, *args: str) -> None:
        self.output = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ocpp_cli", "csms", "--port", "0", *args],
            stdout=self.output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env=cli_env(),
        )
        first = self._first_line(deadline=time.monotonic() + 30)
        assert first.startswith("listening on "), first
        # "listening on ws://127.0.0.1:PORT/ocpp/<identity> (OCPP ...)"
        self.url = first.split()[2].replace("<identity>", "").rstrip("/")
        self.port = int(self.url.split(":")[2].split("/")[0])

    def _first_line(self, deadline: float) -> str:
        while time.monotonic() < deadline:
            self.output.seek(0)
            text = self.output.read()
            if "\n" in text or self.process.poll() is not None:
                return text.split("\n", 1)[0] if "\n" in text else text
            time.sleep(0.02)
        return "(no output in time)"

    def stop(self, signum: int = signal.SIGINT) -> "tuple[int, str]":
        """Signal it, wait; (exit status, everything it printed)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        self.process.wait(timeout=20)
        self.output.seek(0)
        text = self.output.read()
        self.output.close()
        return self.process.returncode, text


def log_records(path: Path) -> "list[dict[str, Any]]":
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def write_records(path: Path, records: "list[dict[str, Any]]") -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def no_traceback(process: "subprocess.CompletedProcess[str]") -> bool:
    return "Traceback" not in process.stderr and "Traceback" not in process.stdout
