"""docs/bindings.md: its shared block with each binding's station controller block, run
against one CSMS (ephemeral port) that sends a remote start from its Authorize handler."""

import asyncio
import datetime
import pathlib

import ocpp_threads
import pytest
import trio

from ocpp_core.v201 import messages as m
from ocpp_core.ws import CsmsConfig, StationConfig

pytestmark = pytest.mark.timeout(30)

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "bindings.md"


def blocks(text):
    """{tag: source} of the ```python blocks ("" for the untagged, shared one)."""
    found, tag, lines = {}, None, []
    for line in text.splitlines():
        stripped = line.strip()
        if tag is None and stripped.startswith("```python"):
            tag, lines = stripped[len("```python") :].strip(), []
        elif tag is not None and stripped == "```":
            assert tag not in found, f"two blocks tagged {tag!r}"
            found[tag] = "\n".join(lines)
            tag = None
        elif tag is not None:
            lines.append(line)
    assert tag is None, "a block left open"
    return found


def csms(received):
    router = ocpp_threads.Router()
    now = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
    router.add(
        m.BootNotificationRequest,
        lambda c, r: m.BootNotificationResponse(current_time=now, interval=300, status="Accepted"),
    )

    def authorize(conn, request):
        start = m.RequestStartTransactionRequest(id_token=request.id_token, remote_start_id=7)
        received.append(("remote start", conn.call(start, timeout=5).status.value))
        received.append(conn)
        return m.AuthorizeResponse(id_token_info=m.IdTokenInfo(status="Accepted"))

    def transaction_event(conn, request):
        values = [s.value for meter in request.meter_value for s in meter.sampled_value]
        received.append((request.event_type.value, request.seq_no, values))
        return m.TransactionEventResponse()

    router.add(m.AuthorizeRequest, authorize)
    router.add(m.TransactionEventRequest, transaction_event)
    return ocpp_threads.serve(CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",)), router=router)


RUNNERS = {
    "asyncio": lambda run, config: asyncio.run(run(config)),
    "trio": lambda run, config: trio.run(run, config),
    "threads": lambda run, config: run(config),
}


@pytest.mark.parametrize("binding", sorted(RUNNERS))
def test_the_station_controller_of_each_binding(binding):
    code = blocks(DOC.read_text(encoding="utf-8"))
    assert sorted(code) == ["", "asyncio", "threads", "trio"]
    namespace = {"__name__": "bindings_doc_" + binding}
    exec(compile(code[""] + "\n" + code[binding], f"{DOC}:{binding}", "exec"), namespace)
    received = []
    with csms(received) as server:
        config = StationConfig(
            url=f"ws://127.0.0.1:{server.port}/ocpp", identity="CP-0001", versions=("2.0.1",)
        )
        log = RUNNERS[binding](namespace["run_station"], config)
        at_csms = received.pop(1)
        # The station closed on the way out.
        assert (at_csms.wait_closed(5).code, at_csms.close_event.clean) == (1000, True)
    assert log == [
        ("boot", "Accepted"),
        ("remote start", 7),
        ("transaction", "Started"),
        ("transaction", "Updated"),
        ("transaction", "Ended"),
    ]
    assert received == [
        ("remote start", "Accepted"),
        ("Started", 0, [0.0]),
        ("Updated", 1, [1500.0]),
        ("Ended", 2, [3000.0]),
    ]
