"""Running many simulated stations at once: started at a rate, watched by a progress
display (stderr, only on a terminal), summed up at the end."""

import asyncio
import time
from collections.abc import Callable
from typing import Any, Optional

from ocpp_cli.sim import Stats


async def run_fleet(
    make: "Callable[[str], Any]",
    names: "list[str]",
    rate: float,
    show_progress: bool = True,
) -> "tuple[list[tuple[str, Optional[str]]], float]":
    """Start `make(name).run()` for every name, `rate` per second; wait for all.

    Returns ((name, failure or None) in order, seconds elapsed). An exception a station
    raised (a bug, not a failed check) is raised again once every station has ended.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        console=console,
        disable=not (show_progress and console.is_terminal),
        transient=False,
    )
    failures: dict[str, Optional[str]] = {}
    bugs: list[Exception] = []
    started = time.perf_counter()
    with progress:
        task_id = progress.add_task("stations", total=len(names), failed=0)

        async def one(name: str) -> None:
            station = make(name)
            try:
                ok = await station.run()
            except Exception as exc:
                # A bug: the other stations run on (one station's bug must not cut their
                # runs short), then it is raised, for main's exit 3 with the traceback.
                bugs.append(exc)
                failures[name] = "internal error"
            else:
                failures[name] = None if ok else (station.failure or "failed")
            bad = sum(1 for failure in failures.values() if failure is not None)
            progress.update(task_id, advance=1, failed=bad)

        tasks = []
        for index, name in enumerate(names):
            if index:
                await asyncio.sleep(1.0 / rate)
            tasks.append(asyncio.ensure_future(one(name)))
        await asyncio.gather(*tasks)
    if bugs:
        raise bugs[0]
    elapsed = time.perf_counter() - started
    return [(name, failures.get(name)) for name in names], elapsed


def summary_lines(stats: Stats, stations: int, failed: int, elapsed: float) -> "list[str]":
    """The closing summary: stations, calls, calls/s, latency p50/p99, errors by code."""
    rate = stats.calls / elapsed if elapsed > 0 else 0.0
    lines = [
        f"stations: {stations} ({stations - failed} passed, {failed} failed) in {elapsed:.2f} s",
        f"calls sent: {stats.calls} ({rate:.1f} calls/s), calls received: {stats.calls_received}",
    ]
    p50, p99 = stats.percentile(0.50), stats.percentile(0.99)
    if p50 is None or p99 is None:
        lines.append("latency: no answered calls")
    else:
        lines.append(f"latency: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    if stats.errors:
        errors = ", ".join(f"{code} {count}" for code, count in sorted(stats.errors.items()))
        lines.append("errors: " + errors)
    else:
        lines.append("errors: none")
    return lines
