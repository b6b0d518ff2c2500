"""Property: LogValidator (the engine of `ocpp-toolkit validate`) never crashes on a
mutated frame, always names a code of the version, and gives the same verdict (code
and path) on the fast (msgspec) and the pure-Python codec.

Frames are corpus CALL/CALLRESULT pairs with hypothesis-chosen mutations: a value
replaced by any JSON value, a key deleted or added, the text cut short.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli_support import CODECS, VERSIONS, corpus_records, log_validator

from ocpp_core.versions import ERROR_CODES

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["2025-06-11T06:00:00Z", "2025-06-11 06:00:00", "Accepted", "ß" * 21]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _mutate(data: st.DataObject, node: object) -> None:
    """Change one place inside `node` (a dict or list), chosen by hypothesis."""
    while True:
        if isinstance(node, dict):
            if not node or data.draw(st.booleans()):
                operation = data.draw(st.sampled_from(["set", "delete", "add"]))
                if operation == "add" or not node:
                    node[data.draw(st.text(max_size=12))] = data.draw(JSON_VALUES)
                    return
                key = data.draw(st.sampled_from(sorted(node)))
                if operation == "delete":
                    del node[key]
                else:
                    node[key] = data.draw(JSON_VALUES)
                return
            key = data.draw(st.sampled_from(sorted(node)))
            if not isinstance(node[key], (dict, list)):
                node[key] = data.draw(JSON_VALUES)
                return
            node = node[key]
        elif isinstance(node, list):
            if not node:
                node.append(data.draw(JSON_VALUES))
                return
            index = data.draw(st.integers(0, len(node) - 1))
            if not isinstance(node[index], (dict, list)) or data.draw(st.booleans()):
                node[index] = data.draw(JSON_VALUES)
                return
            node = node[index]
        else:
            return


def _frames(data: st.DataObject, version: str) -> "list[str]":
    records = corpus_records(version)
    texts = []
    for _ in range(data.draw(st.integers(1, 3), label="pairs")):
        pair = data.draw(st.integers(0, len(records) // 2 - 1)) * 2
        for record in records[pair : pair + 2]:
            text = record["frame"]
            if data.draw(st.booleans()):
                frame = json.loads(text)
                _mutate(data, frame)
                text = json.dumps(frame, ensure_ascii=data.draw(st.booleans()))
            if data.draw(st.integers(0, 9)) == 0:
                text = text[: data.draw(st.integers(0, len(text)))]
            texts.append(text)
    return texts


def _verdict(problem: object) -> "tuple[str, str] | None":
    return None if problem is None else (problem.code, problem.path)  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version=st.sampled_from(VERSIONS), data=st.data())
def test_validators_never_crash_and_codecs_agree(version, data):
    texts = _frames(data, version)
    validators = [log_validator(version, codec) for codec in CODECS]
    for number, text in enumerate(texts, 1):
        verdicts = []
        for validator in validators:
            problem = validator.check(text, None, number)
            if problem is not None:
                assert problem.code in ERROR_CODES[version], (text, problem)
                assert problem.message
            verdicts.append(_verdict(problem))
        assert len(set(verdicts)) == 1, (text, dict(zip(CODECS, verdicts, strict=True)))
