"""The README's Python examples run as written (one per user of the toolkit)."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_the_examples():
    assert len(BLOCKS) == 2


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_csms_example_boots_a_station():
    assert run(BLOCKS[0]).strip() == "Accepted over 2.0.1"


def test_firmware_example_exchanges_and_rejects_a_bad_frame():
    out = run(BLOCKS[1]).splitlines()
    assert out[0] == "CallReceived BootNotification ACME"
    assert out[1] == "CallResultReceived"
    assert '"OccurenceConstraintViolation"' in out[2] and "$.chargePointModel" in out[2]
