"""docs/one-csms.md: its CSMS block and its station controller block, each run as a
program of its own, against each other on loopback with a 1.6, a 2.0.1 and a 2.1
station at once; then its demo block, which joins the two."""

import asyncio
import pathlib

import pytest

pytestmark = pytest.mark.timeout(60)

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "one-csms.md"
FLEET = {"CP-16": "1.6", "CP-201": "2.0.1", "CP-21": "2.1"}


def blocks(text: str) -> "dict[str, str]":
    """{tag: source} of the tagged ```python blocks, other lines blanked so that line
    numbers in tracebacks are those of the .md file."""
    found: dict[str, list[str]] = {}
    lines = text.splitlines()
    tag = None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if tag is None and stripped.startswith("```python"):
            tag = stripped[len("```python") :].strip()
            assert tag and tag not in found, f"line {number + 1}: untagged or repeated block"
            found[tag] = [""] * (number + 1)
        elif tag is not None and stripped == "```":
            tag = None
        elif tag is not None:
            found[tag].append(line)
    assert tag is None, "a block left open"
    return {name: "\n".join(source) for name, source in found.items()}


def load(*tags: str) -> "dict[str, object]":
    code = blocks(DOC.read_text(encoding="utf-8"))
    assert sorted(code) == ["csms", "demo", "station"]
    namespace: dict[str, object] = {"__name__": "one_csms_" + "_".join(tags)}
    for tag in tags:
        exec(compile(code[tag], f"{DOC}:{tag}", "exec"), namespace)
    return namespace


def check(sessions: "dict[tuple[str, str], list[tuple[str, float]]]", logs: list) -> None:
    story = [("Started", 0), ("Updated", 1500.0), ("Ended", 3000)]
    assert {key[0] for key in sessions} == set(FLEET)
    assert all(events == story for events in sessions.values())
    by_station = sorted(sessions)
    assert [key[1] for key in by_station if key[0] == "CP-201"] == ["CP-201-1", "CP-201-2"]
    assert [key[1] for key in by_station if key[0] == "CP-21"] == ["CP-21-1", "CP-21-2"]
    # 1.6: named by the integers the CSMS handed out, unique across the fleet.
    assert all(key[1].isdigit() for key in by_station if key[0] == "CP-16")
    for (identity, version), log in zip(FLEET.items(), logs, strict=True):
        assert log == [
            ("boot", version, "Accepted"),
            ("charged", "CARD-1"),
            ("charged", "APP-7"),
        ], identity


def test_the_csms_and_the_station_programs_against_each_other() -> None:
    csms, station = load("csms"), load("station")

    async def scenario() -> "tuple[list, list]":
        server = await csms["start_csms"](port=0)  # type: ignore[operator]
        async with server:
            url = f"ws://127.0.0.1:{server.port}/ocpp"
            running = asyncio.gather(
                *(station["run_station"](url, i, v) for i, v in FLEET.items())  # type: ignore[operator]
            )
            started = [
                await csms["remote_start"](server, identity, n)  # type: ignore[operator]
                for n, identity in enumerate(FLEET)
            ]
            return started, await running

    started, logs = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert started == ["Accepted"] * 3
    check(csms["sessions"], logs)  # type: ignore[arg-type]
    assert set(station["TRANSACTION_IDS"]) == set(FLEET)  # type: ignore[call-overload]
    # Every transaction ended: the 1.6 station's id map is empty again.
    assert all(len(ids) == 0 for ids in station["TRANSACTION_IDS"].values())  # type: ignore[attr-defined]


def test_the_demo_block() -> None:
    demo = load("csms", "station", "demo")
    started, logs = asyncio.run(asyncio.wait_for(demo["main"](port=0), 30))  # type: ignore[operator]
    assert started == ["Accepted"] * 3
    check(demo["sessions"], logs)  # type: ignore[arg-type]
