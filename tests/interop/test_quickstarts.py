"""The code of docs/quickstart-csms.md and docs/quickstart-station.md, extracted from
the Markdown and run against each other over loopback (ephemeral port)."""

import asyncio
import pathlib

import pytest

pytestmark = pytest.mark.timeout(30)

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def python_of(text):
    """The ```python blocks of a Markdown text, every other line blanked, so that line
    numbers in tracebacks are those of the .md file."""
    lines, inside, found = [], False, 0
    for line in text.splitlines():
        if not inside and line.strip() == "```python":
            inside, found = True, found + 1
            lines.append("")
        elif inside and line.strip() == "```":
            inside = False
            lines.append("")
        else:
            lines.append(line if inside else "")
    assert found and not inside, "no python blocks, or one left open"
    return "\n".join(lines)


def load(name):
    """Exec every python block of docs/<name>, in order, as one module (not __main__)."""
    path = DOCS / name
    namespace = {"__name__": "quickstart_" + path.stem.replace("-", "_")}
    exec(compile(python_of(path.read_text(encoding="utf-8")), str(path), "exec"), namespace)
    return namespace


async def wait_until(predicate, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def test_quickstart_station_against_quickstart_csms():
    csms = load("quickstart-csms.md")
    station = load("quickstart-station.md")
    log = station["log"]

    async def scenario():
        server = await csms["start_csms"](port=0)
        async with server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            async with station["make_station"](url=url) as running:
                await running.wait_connected(5)
                await wait_until(lambda: ("LOCAL-1", "Ended") in log)
                status = await csms["remote_start"](server, "CP-0001")
                await wait_until(lambda: ("REMOTE-1", "Ended") in log)
            # A station the CSMS does not know is turned away (404) and retries.
            stranger = station["make_station"](url=url, identity="CP-9999")
            async with stranger:
                await wait_until(lambda: stranger.delays, timeout=5)
                assert stranger.connects == 0
        return status

    status = asyncio.run(scenario())
    assert status == "Accepted"
    assert log[0] == ("boot", "Accepted", 300)
    transaction = [("Started", [0.0]), ("Updated", [1500.0]), ("Ended", [3000.0])]
    assert csms["transactions"] == {"LOCAL-1": transaction, "REMOTE-1": transaction}
