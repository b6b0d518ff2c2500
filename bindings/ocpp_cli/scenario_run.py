"""Running a scenario file (`ocpp_cli.scenario`) against a real peer: the CSMS simulator
against the first station that connects (`csms --scenario FILE`), or one station
against a CSMS (`station --scenario FILE`). One PASS/FAIL line per step; exit status 0
when every step passed, 1 otherwise, 2 when the file does not fit the version.

Both sides share `StepRunner`. The peer's CALLs are answered by handlers (`_answer`)
that first offer each CALL to the scenario: it goes to the first `expect` step, not yet
satisfied and not before the current step, with the same action and matching fields;
that step's `respond` (or the simulator's accepting answer) goes back. A CALL may so
arrive before its step runs (a station boots as soon as it connects).
"""

import argparse
import asyncio
import importlib
import json
import re
import time
from collections.abc import Callable
from typing import Any, Optional

import ocpp_asyncio

from ocpp_cli.scenario import (
    PACKAGES,
    CallStep,
    ExpectStep,
    RawStep,
    Scenario,
    ScenarioError,
    Step,
    WaitStep,
    check_for_version,
    load_scenario,
    mismatches,
)
from ocpp_cli.usage import UsageError

# The id of a frame we send raw, when it has one: its answer carries it (or "-1").
_FRAME_ID = re.compile(r'\s*\[\s*\d+\s*,\s*"([^"\\]*)"')
UNREADABLE_ID = "-1"
# After a raw step, how long the peer has to close the connection before we call it
# survived: a peer that drops the connection does so right after its answer.
SURVIVAL_GRACE = 0.1


class Recorder:
    """What the scenario saw on its connection: text messages in (for raw steps), and
    the peer's CALLs offered to the expect steps."""

    def __init__(self, steps: "list[Step]") -> None:
        self.steps = steps
        self.current = 0  # index of the step running: earlier expect steps take nothing
        self.claims: dict[int, Any] = {}  # step index -> the payload that satisfied it
        self.calls: list[tuple[str, Any]] = []  # every CALL the peer sent (action, payload)
        self.incoming: list[str] = []
        self.changed = asyncio.Event()
        self.conn: Optional[ocpp_asyncio.Connection] = None
        self._hook: Optional[Callable[[str, str], None]] = None  # the live on_frame hook

    def attach(self, conn: "ocpp_asyncio.Connection") -> None:
        """Take `conn`: its CALLs go to the expect steps, its text messages to the raw
        steps. Attach again after someone replaced `conn.core.on_frame` (watch_frames
        does): the newest hook records, the older ones only pass frames on."""
        self.conn = conn
        previous = conn.core.on_frame

        def on_frame(direction: str, text: str) -> None:
            if previous is not None:
                previous(direction, text)
            if direction == "in" and self._hook is on_frame:
                self.incoming.append(text)
                self.changed.set()

        self._hook = on_frame
        conn.core.on_frame = on_frame

    def claim(self, action: str, payload: Any) -> Optional[ExpectStep]:
        self.calls.append((action, payload))
        self.changed.set()
        for index in range(self.current, len(self.steps)):
            step = self.steps[index]
            if (
                isinstance(step, ExpectStep)
                and index not in self.claims
                and step.expect == action
                and not mismatches(payload, step.match)
            ):
                self.claims[index] = payload
                return step
        return None

    async def wait(self, predicate: "Callable[[], bool]", timeout: float) -> bool:
        """Wait until `predicate()` holds (True) or `timeout` passes or the connection
        closes (False, unless the predicate holds by then)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0 or self.conn is None or self.conn.closed:
                return predicate()
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(left, 0.25))
            except asyncio.TimeoutError:
                pass
        return True


class StepRunner:
    """Runs the steps in order on one connection and prints one line per step."""

    def __init__(self, scenario: Scenario, version: str, recorder: Recorder, out: Any) -> None:
        from ocpp_core.codec import Codec

        self.scenario = scenario
        self.version = version
        self.recorder = recorder
        self.out = out
        self.codec = Codec(version)

    async def run(self, conn: "ocpp_asyncio.Connection") -> int:
        """The number of failed steps."""
        failed = 0
        total = len(self.scenario.steps)
        for index, step in enumerate(self.scenario.steps):
            self.recorder.current = index
            started = time.monotonic()
            ok, detail = await self._step(conn, index, step)
            elapsed = time.monotonic() - started
            failed += not ok
            self.out.step(index + 1, total, ok, _title(step), f"{detail} ({elapsed:.2f} s)")
        passed = total - failed
        self.out.line(
            f"{passed}/{total} steps passed" + ("" if not failed else f", {failed} FAILED")
        )
        return failed

    async def _step(
        self, conn: "ocpp_asyncio.Connection", index: int, step: Step
    ) -> "tuple[bool, str]":
        if isinstance(step, WaitStep):
            await asyncio.sleep(step.wait)
            return True, f"waited {step.wait:g} s"
        if isinstance(step, ExpectStep):
            return await self._expect(index, step)
        if conn.closed:
            return False, "the connection is closed"
        if isinstance(step, CallStep):
            return await self._call(conn, step)
        assert isinstance(step, RawStep)
        return await self._raw(conn, step)

    async def _call(self, conn: "ocpp_asyncio.Connection", step: CallStep) -> "tuple[bool, str]":
        import msgspec

        request = self.codec.decode_request(step.call, step.payload).message
        try:
            answer = await conn.call(request, timeout=step.timeout)
        except ocpp_asyncio.CallError as exc:
            if step.error is not None and exc.code in step.error:
                return True, f"CALLERROR {exc.code}"
            wanted = _wanted(step)
            return False, f"CALLERROR {exc.code} {exc.description!r}, expected {wanted}"
        except ocpp_asyncio.CallTimeout:
            return False, f"no answer within {step.timeout:g} s"
        except ocpp_asyncio.InvalidResponse as exc:
            return False, f"invalid answer: {exc}"
        except ocpp_asyncio.ConnectionClosedError:
            return False, "the connection closed"
        response = msgspec.to_builtins(answer)
        status = response.get("status") if isinstance(response, dict) else None
        shown = f"CALLRESULT status {status}" if status is not None else "CALLRESULT"
        if step.error is not None and step.status is None:
            return False, f"{shown}, expected CALLERROR {' or '.join(step.error)}"
        if step.status is not None and status not in step.status:
            return False, f"{shown}, expected status {' or '.join(step.status)}"
        problems = mismatches(response, step.match)
        if problems:
            return False, f"{shown}, but {'; '.join(problems)}"
        return True, shown

    async def _expect(self, index: int, step: ExpectStep) -> "tuple[bool, str]":
        recorder = self.recorder
        if await recorder.wait(lambda: index in recorder.claims, step.within):
            return True, f"received {step.expect}"
        same = [payload for action, payload in recorder.calls if action == step.expect]
        if same:
            problems = mismatches(same[-1], step.match)
            return False, f"{step.expect} received, but {'; '.join(problems)}"
        closed = recorder.conn is not None and recorder.conn.closed
        return False, f"no {step.expect} within {step.within:g} s" + (
            " (the connection closed)" if closed else ""
        )

    async def _raw(self, conn: "ocpp_asyncio.Connection", step: RawStep) -> "tuple[bool, str]":
        recorder = self.recorder
        start = len(recorder.incoming)
        match = _FRAME_ID.match(step.raw)
        frame_id = match.group(1) if match else None
        conn.send_raw(step.raw)

        def answer() -> Optional[list[Any]]:
            for text in recorder.incoming[start:]:
                frame = answer_to(text, frame_id)
                if frame is not None:
                    return frame
            return None

        if step.error is not None or step.no_answer or step.survive:
            await recorder.wait(lambda: answer() is not None, step.within)
        got = answer()
        got_text = describe_answer(got)
        problems = []
        if step.error is not None and (got is None or got[0] != 4 or got[2] not in step.error):
            problems.append(f"expected CALLERROR {' or '.join(step.error)}, got {got_text}")
        if step.no_answer and got is not None:
            problems.append(f"expected no answer, got {got_text}")
        if step.survive:
            await asyncio.sleep(SURVIVAL_GRACE)
            if conn.closed:
                problems.append("the connection closed")
        else:
            try:
                await asyncio.wait_for(conn.wait_closed(), step.within)
            except asyncio.TimeoutError:
                problems.append(f"the connection is still open after {step.within:g} s")
        if problems:
            return False, "; ".join(problems)
        return True, got_text + ("" if step.survive else ", connection closed")


def answer_to(text: str, frame_id: Optional[str]) -> "Optional[list[Any]]":
    """The frame `text` when it answers a message with id `frame_id` (or carries the
    unreadable id "-1"): a CALLRESULT, CALLERROR or 2.1 CALLRESULTERROR."""
    try:
        frame = json.loads(text)
    except ValueError:
        return None
    if (
        isinstance(frame, list)
        and len(frame) >= 2
        and frame[0] in (3, 4, 5)
        and (frame[1] == UNREADABLE_ID or (frame_id is not None and frame[1] == frame_id))
    ):
        return frame
    return None


def describe_answer(frame: "Optional[list[Any]]") -> str:
    if frame is None:
        return "no answer"
    if frame[0] in (4, 5) and len(frame) > 2:
        kind = "CALLERROR" if frame[0] == 4 else "CALLRESULTERROR"
        suffix = ' (id "-1")' if frame[1] == UNREADABLE_ID else ""
        return f"{kind} {frame[2]}{suffix}"
    return "CALLRESULT"


def _wanted(step: CallStep) -> str:
    parts = []
    if step.status is not None:
        parts.append(f"status {' or '.join(step.status)}")
    if step.error is not None:
        parts.append(f"CALLERROR {' or '.join(step.error)}")
    return " or ".join(parts) or "a CALLRESULT"


def _title(step: Step) -> str:
    if isinstance(step, CallStep):
        return f"call {step.call}"
    if isinstance(step, ExpectStep):
        return f"expect {step.expect}"
    if isinstance(step, WaitStep):
        return "wait"
    text = step.raw if len(step.raw) <= 40 else step.raw[:37] + "..."
    return f"raw {text}"


class Output:
    """Step lines on stdout: rich colours on a terminal, plain text otherwise."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(highlight=False, soft_wrap=True)

    def line(self, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(text))

    def step(self, number: int, total: int, ok: bool, title: str, detail: str) -> None:
        from rich.text import Text

        line = Text(f"{number:>{len(str(total))}} ")
        line.append("PASS" if ok else "FAIL", style="bold green" if ok else "bold red")
        line.append(f"  {title}: {detail}")
        self.console.print(line)

    def case(self, ok: bool, text: str) -> None:
        from rich.text import Text

        line = Text()
        line.append("match   " if ok else "MISMATCH", style="bold green" if ok else "bold red")
        line.append(f"  {text}")
        self.console.print(line)


def quiet_unmatched(args: argparse.Namespace) -> None:
    """Without -v, hide the binding's warnings about answers to raw frames: every one is
    "unmatched" for the session, which is expected when testing."""
    import logging

    if not args.verbose:
        logging.getLogger("ocpp_asyncio").setLevel(logging.ERROR)


# -- the handlers that offer the peer's CALLs to the scenario --------------------------------


def scenario_router(
    version: str,
    sender: str,
    recorder: Recorder,
    fallback: "Callable[[Any, str, Any], Any]",
    router: "Optional[ocpp_asyncio.Router]" = None,
) -> "ocpp_asyncio.Router":
    """A router for every action `sender` sends in `version`: the scenario sees the CALL
    first; `fallback(conn, action, native)` answers it unless an expect step responds."""
    import msgspec

    from ocpp_core.codec import Codec

    package = PACKAGES[version]
    schema = importlib.import_module(f"ocpp_core.{package}.schema")
    messages = importlib.import_module(f"ocpp_core.{package}.messages")
    codec = Codec(version)
    if router is None:
        router = ocpp_asyncio.Router()

    def handler_for(action: str) -> Any:
        def handle(conn: "ocpp_asyncio.Connection", native: Any) -> Any:
            if conn is recorder.conn:
                step = recorder.claim(action, msgspec.to_builtins(native))
                if step is not None and step.respond is not None:
                    return codec.decode_response(action, step.respond).message
            return fallback(conn, action, native)

        return handle

    for action, (who, _request, response) in schema.ACTIONS.items():
        if who in (sender, "both") and response is not None:
            router.add(messages.REQUESTS[action], handler_for(action))
    return router


# -- station --scenario FILE ------------------------------------------------------------------


async def run_station_special(
    args: argparse.Namespace, builtin: "tuple[str, ...]", ssl: Any, stream: Any
) -> int:
    """`station --scenario bad` or `--scenario FILE` (one station, no fleet)."""
    name = args.scenario
    is_file = name.lower().endswith((".yaml", ".yml", ".toml"))
    if name != "bad" and not is_file:
        raise UsageError(
            f"--scenario: unknown scenario {name!r} (choose from {', '.join(builtin)}, "
            "bad, or a .yaml / .toml scenario file)"
        )
    if args.count != 1:
        raise UsageError(
            f"--scenario {name}: runs one station; --count is for {', '.join(builtin)}"
        )
    if name == "bad":
        from ocpp_cli.badframes import run_bad

        return await run_bad(args, ssl, stream)
    return await run_station_scenario(args, ssl, stream)


async def run_station_scenario(args: argparse.Namespace, ssl: Any, stream: Any) -> int:
    from ocpp_cli.accepting import accepting_response
    from ocpp_cli.sim import FrameLog, Stats, utcnow, watch_frames
    from ocpp_core.config import RpcConfig
    from ocpp_core.ws import StationConfig

    scenario = load_scenario(args.scenario, "station")
    quiet_unmatched(args)
    if scenario.ocpp is not None and scenario.ocpp != args.ocpp:
        raise ScenarioError(
            f"{scenario.path}: the scenario is for OCPP {scenario.ocpp}, not {args.ocpp}"
        )
    check_for_version(scenario, args.ocpp, "station")
    config = StationConfig(
        url=args.csms,
        identity=args.id,
        versions=(args.ocpp,),
        password=args.password,
        rpc_config=RpcConfig(allow_send_raw=True, call_timeout=args.timeout),
    )
    recorder = Recorder(scenario.steps)

    def fallback(conn: Any, action: str, native: Any) -> Any:
        return accepting_response(args.ocpp, action, utcnow())

    router = scenario_router(args.ocpp, "csms", recorder, fallback)
    out = Output()
    try:
        conn = await ocpp_asyncio.connect(config, router, ssl=ssl, auto_heartbeat=False)
    except (OSError, ocpp_asyncio.HandshakeError, asyncio.TimeoutError) as exc:
        out.line(f"{args.id}: cannot connect to {args.csms}: {exc}")
        return 1
    watch_frames(conn, args.id, "station", Stats(), FrameLog(stream) if stream else None)
    recorder.attach(conn)
    out.line(f"scenario {scenario.name}: {args.id} (OCPP {args.ocpp}) -> {args.csms}")
    try:
        failed = await StepRunner(scenario, args.ocpp, recorder, out).run(conn)
    finally:
        await conn.close()
    return 1 if failed else 0


# -- csms --scenario FILE ------------------------------------------------------------------------


def prepare_csms(args: argparse.Namespace) -> Scenario:
    """Load the file before listening; a scenario for one version narrows --versions."""
    scenario = load_scenario(args.scenario, "csms")
    if scenario.ocpp is not None:
        if scenario.ocpp not in args.versions:
            raise UsageError(
                f"{scenario.path}: the scenario is for OCPP {scenario.ocpp}, which "
                f"--versions {','.join(args.versions)} does not accept"
            )
        args.versions = (scenario.ocpp,)
    return scenario


async def serve_scenario(
    args: argparse.Namespace, scenario: Scenario, config: Any, ssl: Any, stream: Any
) -> int:
    """Serve like `csms` does, run `scenario` against the first station that connects
    (or `--identity`), then stop."""
    import logging
    import signal
    from dataclasses import replace

    from ocpp_cli.accepting import accepting_response
    from ocpp_cli.csms import listen
    from ocpp_cli.sim import FrameLog, utcnow
    from ocpp_cli.simcsms import CsmsSimulator
    from ocpp_core.config import RpcConfig

    log = logging.getLogger("ocpp_cli.csms")
    quiet_unmatched(args)
    out = Output()
    csms = CsmsSimulator(
        args.versions,
        remote_start_after=args.remote_start_after,
        id_tag=args.id_tag,
        frame_log=FrameLog(stream) if stream is not None else None,
        report=log.info,
    )
    recorder = Recorder(scenario.steps)
    chosen: asyncio.Future[ocpp_asyncio.Connection] = asyncio.get_running_loop().create_future()

    def claim(conn: "ocpp_asyncio.Connection") -> Any:
        # on_connect runs before the server accepts: a CALL the station sent in the same
        # TCP write as its upgrade request is handled right after the accept, before
        # on_connected, and must already find the scenario's connection (a claimed
        # connection that was refused, now closed, leaves the place to the next one).
        csms.on_connect(conn)  # the frame log first; the recorder hooks in behind it
        current = recorder.conn
        if not chosen.done() and args.identity in (None, conn.identity):
            if current is None or current.closed:
                recorder.attach(conn)
        return ocpp_asyncio.Accept()

    def fallback(conn: Any, action: str, native: Any) -> Any:
        # The simulator's own answer; its accepting default should it have none.
        handler = csms.router.lookup(conn.version or "", action)
        if handler is None:
            return accepting_response(conn.version or "", action, utcnow())
        return handler(conn, native)

    router = ocpp_asyncio.Router()  # keyed by (version, action): one for all versions
    for version in args.versions:
        scenario_router(version, "station", recorder, fallback, router)

    def on_connected(conn: "ocpp_asyncio.Connection") -> None:
        csms.on_connected(conn)
        if conn is recorder.conn and not chosen.done():
            chosen.set_result(conn)

    server, stop, where = await listen(
        args,
        replace(config, rpc_config=RpcConfig(allow_send_raw=True)),
        ssl,
        router=router,
        on_connect=claim,
        on_connected=on_connected,
    )
    loop = asyncio.get_running_loop()
    out.line(f"listening on {where}; scenario {scenario.name}")
    stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    try:
        first: set[asyncio.Future[Any]] = {chosen, stopping}
        await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
        if not chosen.done():
            out.line("stopped before a station connected")
            return 1
        conn = chosen.result()
        version = conn.version or ""
        check_for_version(scenario, version, "csms")
        out.line(f"scenario {scenario.name}: {conn.identity} (OCPP {version})")
        runner: asyncio.Future[Any] = asyncio.ensure_future(
            StepRunner(scenario, version, recorder, out).run(conn)
        )
        await asyncio.wait({runner, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not runner.done():
            runner.cancel()
            out.line("interrupted")
            return 1
        return 1 if runner.result() else 0
    finally:
        stopping.cancel()
        if not chosen.done():
            chosen.cancel()
        await csms.close()
        await server.close(1000, "scenario done")
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
