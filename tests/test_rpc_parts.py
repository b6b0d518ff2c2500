"""Events (frozen values), RpcConfig (validated, frozen) and the id factories."""

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpp_core import events
from ocpp_core.config import RpcConfig
from ocpp_core.errors import RemoteProtocolError, Violation
from ocpp_core.ids import CounterIds, Uuid4Ids
from ocpp_core.rpc._parts import Memory, next_state

ERROR = RemoteProtocolError(Violation("frame", "RpcFrameworkError", "", "bad"), "1", 2, "X")

SAMPLES = [
    events.CallReceived("1", "Heartbeat", {}, []),
    events.CallResultReceived("1", "Heartbeat", {"currentTime": "t"}),
    events.CallErrorReceived("1", "Heartbeat", "GenericError", "d", {"k": 1}),
    events.CallResultInvalid("1", "Heartbeat", ERROR, None),
    events.CallTimedOut("1", "Heartbeat"),
    events.CallCancelled("1", "Heartbeat", "gone"),
    events.IncomingCallCancelled("1", "Reset", "gone"),
    events.CallRejected("1", "X", ERROR, '[4,"1","NotImplemented","",{}]'),
    events.ProtocolViolation(ERROR, None),
    events.UnmatchedResponse("1", 3, None, "no CALL"),
    events.SendReceived("1", "NotifyPeriodicEventStream", {}),
    events.CallResultErrorReceived("1", "Reset", "GenericError", "", {}),
]


def test_every_rpc_event_has_a_sample():
    assert sorted(type(event).__name__ for event in SAMPLES) == sorted(
        cls.__name__ for cls in events.RPC_EVENTS
    )


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: type(event).__name__)
def test_events_are_frozen_values(event):
    name = event._fields[0]
    before = getattr(event, name)
    with pytest.raises(AttributeError, match="frozen"):
        setattr(event, name, "changed")
    with pytest.raises(AttributeError, match="frozen"):
        event.brand_new = 1
    with pytest.raises(AttributeError, match="frozen"):
        delattr(event, name)
    assert getattr(event, name) == before
    assert not hasattr(event, "__dict__")
    # equal to a copy, different from any change of one field
    values = [getattr(event, field) for field in event._fields]
    assert type(event)(*values) == event
    assert not (type(event)(*values) != event)
    for index in range(len(values)):
        changed = list(values)
        changed[index] = "other" if changed[index] != "other" else "else"
        if event._fields[index] == "warnings":
            changed[index] = ["w"]
        assert type(event)(*changed) != event
    # repr names every field and its value
    text = repr(event)
    assert text.startswith(type(event).__name__ + "(")
    for field in event._fields:
        assert field + "=" + repr(getattr(event, field)) in text


def test_events_of_different_types_differ_and_hash():
    assert events.CallTimedOut("1", "A") != events.CallCancelled("1", "A", "")
    assert events.CallTimedOut("1", "A") != ("1", "A")
    assert hash(events.CallTimedOut("1", "A")) == hash(events.CallTimedOut("1", "A"))
    with pytest.raises(TypeError):
        hash(events.CallErrorReceived("1", "A", "GenericError", "", {}))


def test_event_arity_is_checked():
    with pytest.raises(TypeError):
        events.CallTimedOut("1")  # type: ignore[call-arg]


def test_warnings_become_a_tuple():
    assert events.CallReceived("1", "A", {}, ["w"]).warnings == ("w",)


# --------------------------------------------------------------------------- config

DEFAULTS = {
    "call_timeout": 30.0,
    "max_queued_calls": 16,
    "max_incoming_calls": 4,
    "remembered_ids": 16,
    "reuse_id_on_retry": False,
    "require_boot_accepted": False,
    "answer_unknown_message_type": None,
    "answer_unreadable_id_v16": False,
    "send_call_result_error": True,
    "allow_send_raw": False,
}


def test_config_defaults_are_documented_and_strict():
    config = RpcConfig()
    for name, value in DEFAULTS.items():
        assert getattr(config, name) == value
        assert name + " (" in RpcConfig.__doc__
    assert set(RpcConfig.__slots__) == set(DEFAULTS)


@pytest.mark.parametrize(
    "knobs",
    [
        {"call_timeout": 0},
        {"call_timeout": -1},
        {"call_timeout": float("nan")},
        {"call_timeout": "30"},
        {"call_timeout": True},
        {"max_queued_calls": -1},
        {"max_queued_calls": 1.5},
        {"max_queued_calls": True},
        {"max_incoming_calls": 0},
        {"remembered_ids": -1},
        {"reuse_id_on_retry": 1},
        {"answer_unknown_message_type": "yes"},
        {"allow_send_raw": None},
    ],
)
def test_config_refuses_bad_values(knobs):
    with pytest.raises((TypeError, ValueError)):
        RpcConfig(**knobs)


def test_config_is_keyword_only_frozen_and_replaceable():
    with pytest.raises(TypeError):
        RpcConfig(5)  # type: ignore[misc]
    with pytest.raises(TypeError):
        RpcConfig(unknown=1)  # type: ignore[call-arg]
    config = RpcConfig(call_timeout=5)
    with pytest.raises(AttributeError, match="frozen"):
        config.call_timeout = 6
    changed = config.replace(max_queued_calls=0)
    assert changed.max_queued_calls == 0 and changed.call_timeout == 5.0
    assert config.max_queued_calls == 16
    assert changed != config and config == RpcConfig(call_timeout=5.0)
    assert hash(config) == hash(RpcConfig(call_timeout=5))
    with pytest.raises(TypeError):
        config.replace(nope=1)
    with pytest.raises(ValueError):
        config.replace(call_timeout=0)
    assert repr(config).startswith("RpcConfig(call_timeout=5.0, ")


# --------------------------------------------------------------------------- ids


def test_counter_ids():
    ids = CounterIds("cp-", start=7)
    assert [ids(), ids(), ids()] == ["cp-7", "cp-8", "cp-9"]
    assert CounterIds()() == "1"
    with pytest.raises(ValueError):
        CounterIds("x" * 21)
    with pytest.raises(ValueError):
        CounterIds(start=-1)
    with pytest.raises(TypeError):
        CounterIds(5)  # type: ignore[arg-type]


UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@given(st.integers(0, 2**32 - 1))
def test_uuid4_ids_are_rfc4122_version_4(seed):
    ids = Uuid4Ids(random.Random(seed).getrandbits)
    values = [ids() for _ in range(20)]
    for value in values:
        assert len(value) == 36 and UUID4.match(value), value
    assert len(set(values)) == 20


def test_uuid4_ids_from_fixed_bits():
    assert Uuid4Ids(lambda bits: 0)() == "00000000-0000-4000-8000-000000000000"
    assert Uuid4Ids(lambda bits: 2**bits - 1)() == "ffffffff-ffff-4fff-bfff-ffffffffffff"
    with pytest.raises(TypeError):
        Uuid4Ids(5)  # type: ignore[arg-type]


def test_uuid4_core_modules_read_no_randomness():
    import pathlib

    core = pathlib.Path(__file__).resolve().parent.parent / "ocpp_core"
    for name in ("ids.py", "events.py", "config.py"):
        source = (core / name).read_text()
        assert "urandom" not in source and "import uuid" not in source
        assert "import random" not in source and "import time" not in source
    for path in (core / "rpc").glob("*.py"):
        source = path.read_text()
        for banned in ("urandom", "import uuid", "import random", "import time", "asyncio"):
            assert banned not in source, (path, banned)


# --------------------------------------------------------------------------- parts


def test_memory_is_a_bounded_fifo():
    memory = Memory(2)
    memory.add("a", "A")
    memory.add("b", "B")
    memory.add("c", "C")
    assert memory.ids() == ["b", "c"] and memory.get("a") is None
    memory.add("b", "B2")
    assert memory.ids() == ["c", "b"] and memory.get("b") == "B2"
    assert memory.pop("c") == "C" and memory.pop("c") is None and len(memory) == 1
    none = Memory(0)
    none.add("a", "A")
    assert len(none) == 0


def test_outgoing_state_machine_refuses_undefined_transitions():
    from ocpp_core.errors import LocalProtocolError

    assert next_state("IDLE", "call-sent") == "AWAITING_ANSWER"
    assert next_state("AWAITING_ANSWER", "call-ended") == "IDLE"
    with pytest.raises(LocalProtocolError):
        next_state("AWAITING_ANSWER", "call-sent")
    with pytest.raises(LocalProtocolError):
        next_state("CLOSED", "call-sent")
