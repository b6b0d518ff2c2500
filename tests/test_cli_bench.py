"""Smoke run of bench/codec.py (`make bench`): it runs, and every implementation accepts
every corpus frame on receive and on send. The timings themselves are not checked."""

import re
import subprocess
import sys

from test_cli_support import ROOT, cli_env


def test_bench_quick_run_on_one_version():
    process = subprocess.run(
        [sys.executable, "bench/codec.py", "--quick", "--repeats", "1", "--ocpp", "1.6"],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        timeout=600,
        check=False,
    )
    out = process.stdout.decode()
    assert process.returncode == 0, process.stderr.decode()
    assert "OCPP 1.6: ocpp16.jsonl, 2482 frames (1241 CALL + 1241 CALLRESULT)" in out
    rows = {}
    for label in ("ocpp-toolkit Codec", "mobilityhouse ocpp", "json.loads / json.dumps"):
        match = re.search(re.escape(label) + r".*?\s([\d.]+)\s+([\d.]+)\s+(\d+) / (\d+)\n", out)
        assert match is not None, (label, out)
        rows[label] = match.groups()
    for label, (receive, send, rejected_in, rejected_out) in rows.items():
        assert float(receive) > 0 and float(send) > 0, label
        assert (rejected_in, rejected_out) == ("0", "0"), label
    assert "receive: ours / json.loads = " in out
    assert re.search(r"^  1\.6 +2482 +[\d.]+ +[\d.]+ +[\d.]+ ", out, re.MULTILINE)
