"""Codec benchmark: µs per frame to receive and to send the corpus, per OCPP version.

    .venv/bin/python bench/codec.py            # full run (a few minutes: mobilityhouse is slow)
    .venv/bin/python bench/codec.py --quick    # fewer repeats, for a smoke test

Not a test: it prints numbers and never fails on them. What is timed, per frame of
corpus/ocpp16.jsonl, ocpp201.jsonl, ocpp21.jsonl (every CALL and its CALLRESULT):

receive (text in -> validated message)
  ocpp-toolkit    Codec.decode_frame + decode_request (CALL) / decode_response with the
                  CALL's action (CALLRESULT, looked up by id as a session does): decode
                  and schema validation into the typed msgspec message.
  mobilityhouse   ocpp 2.1.0 as its ChargePoint runs it: messages.unpack, then
                  _validate_payload (jsonschema Draft 4) with `.action` of a CallResult
                  set from its pending Call (ChargePoint.call does the same).
  json.loads      the floor: parse the text, no validation at all.
send (typed message in -> validated text out)
  ocpp-toolkit    Codec.encode_call / encode_result of the messages decoded beforehand
                  (validation included: the codec validates before it encodes).
  mobilityhouse   Call(id, action, payload) / CallResult(id, payload, action), then
                  _validate_payload and to_json (= messages.pack), as ChargePoint.call
                  and _handle_call do; the payload is the camelCase dict.
  json.dumps      the floor: serialise the already-parsed frame, compact separators.

Mobilityhouse is measured on its synchronous path (`_validate_payload`, what
`ASYNC_VALIDATION = False` runs): as shipped, `validate_payload` is a coroutine that
hops to a thread pool per message, which only adds to its time. Its typed-object
steps (camel/snake case conversion, dataclass construction and `asdict`) are left out
too. Both choices make mobilityhouse look faster, so the ratios are lower bounds.

Timing: time.perf_counter, the garbage collector off while timing (as timeit does).
The corpus is cut into blocks of 64 frames (8 for mobilityhouse); each block is timed
N times per implementation, implementations alternating, and the best time of each
block is summed: µs/frame = that sum / frames. Short blocks dodge the preemptions of a
busy machine far better than whole passes, and alternating keeps the ratios fair.
"""

import argparse
import gc
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FILES = (("1.6", "ocpp16.jsonl"), ("2.0.1", "ocpp201.jsonl"), ("2.1", "ocpp21.jsonl"))
BLOCK = 64  # frames per timed block (see measure)
SLOW_BLOCK = 8  # the same for mobilityhouse, ~100x slower per frame
TARGET_VS_JSON = 1.0  # receive: ours / json.loads must be below this
TARGET_VS_MOBILITYHOUSE = 100.0  # receive: mobilityhouse / ours must reach this

sys.path.insert(0, str(ROOT))  # run from a checkout without an install


class Corpus:
    """One version's frames, in order: texts plus what each implementation starts from."""

    def __init__(self, version: str, path: Path) -> None:
        self.version = version
        self.path = path
        self.texts: list[str] = []
        self.actions: list[str] = []  # the CALL's action, also on its CALLRESULT line
        self.parsed: list[Any] = []  # json.loads of each frame (the send floor's input)
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                self.texts.append(record["frame"])
                self.actions.append(record["action"])
                self.parsed.append(json.loads(record["frame"]))
        self.calls = sum(1 for frame in self.parsed if frame[0] == 2)
        self.results = sum(1 for frame in self.parsed if frame[0] == 3)
        self.bytes = sum(len(text.encode("utf-8")) for text in self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: "list[int]") -> "Corpus":
        part = Corpus.__new__(Corpus)
        part.version, part.path = self.version, self.path
        part.texts = [self.texts[i] for i in indices]
        part.actions = [self.actions[i] for i in indices]
        part.parsed = [self.parsed[i] for i in indices]
        part.calls = sum(1 for frame in part.parsed if frame[0] == 2)
        part.results = len(part.parsed) - part.calls
        part.bytes = sum(len(text.encode("utf-8")) for text in part.texts)
        return part

    def every_nth_pair(self, step: int) -> "Corpus":
        """Every `step`-th CALL with its CALLRESULT (the corpus puts each right after its
        CALL): a smaller sample with the same mix, for the slow implementation in --quick."""
        return self.subset([i for i in range(len(self.texts)) if (i // 2) % step == 0])

    def blocks(self, size: int) -> "list[Corpus]":
        """Consecutive blocks of `size` frames (even: a CALL stays with its CALLRESULT)."""
        size += size % 2
        return [
            self.subset(list(range(start, min(start + size, len(self.texts)))))
            for start in range(0, len(self.texts), size)
        ]


# ------------------------------------------------------------------------------------
# One pass = one function call over the whole corpus; each returns the failures seen.


def json_receive(corpus: Corpus) -> "Callable[[], int]":
    texts = corpus.texts
    loads = json.loads

    def run() -> int:
        for text in texts:
            loads(text)
        return 0

    return run


def json_send(corpus: Corpus) -> "Callable[[], int]":
    frames = corpus.parsed
    dumps = json.dumps

    def run() -> int:
        for frame in frames:
            dumps(frame, separators=(",", ":"))
        return 0

    return run


def ours_receive(corpus: Corpus, codec: "Any", errors: "tuple[type, ...]") -> "Callable[[], int]":
    texts = corpus.texts
    decode_frame = codec.decode_frame
    decode_request = codec.decode_request
    decode_response = codec.decode_response

    def run() -> int:
        pending: dict[str, str] = {}
        failures = 0
        for text in texts:
            try:
                frame = decode_frame(text)
                if frame.kind == 2:
                    pending[frame.message_id] = frame.action
                    decode_request(frame.action, frame.payload)
                else:
                    decode_response(pending.pop(frame.message_id), frame.payload)
            except errors:
                failures += 1
        return failures

    return run


def ours_typed(corpus: Corpus, codec: "Any") -> "list[tuple[int, str, Any]]":
    """(kind, id, typed message) per frame: the input of the send benchmark."""
    typed = []
    pending: dict[str, str] = {}
    for text in corpus.texts:
        frame = codec.decode_frame(text)
        if frame.kind == 2:
            pending[frame.message_id] = frame.action
            message = codec.decode_request(frame.action, frame.payload).message
        else:
            message = codec.decode_response(pending.pop(frame.message_id), frame.payload).message
        typed.append((frame.kind, frame.message_id, message))
    return typed


def ours_send(typed: "list[tuple[int, str, Any]]", codec: "Any") -> "Callable[[], int]":
    encode_call = codec.encode_call
    encode_result = codec.encode_result

    def run() -> int:
        for kind, message_id, message in typed:
            if kind == 2:
                encode_call(message_id, message)
            else:
                encode_result(message_id, message)
        return 0

    return run


def mobilityhouse_receive(corpus: Corpus) -> "Callable[[], int]":
    from ocpp.exceptions import OCPPError
    from ocpp.messages import Call, _validate_payload, unpack

    texts = corpus.texts
    version = corpus.version

    def run() -> int:
        pending: dict[str, str] = {}
        failures = 0
        for text in texts:
            try:
                message = unpack(text)
                if isinstance(message, Call):
                    pending[message.unique_id] = message.action
                else:
                    message.action = pending.pop(message.unique_id)
                _validate_payload(message, version)
            except OCPPError:
                failures += 1
        return failures

    return run


def mobilityhouse_send(corpus: Corpus) -> "Callable[[], int]":
    from ocpp.exceptions import OCPPError
    from ocpp.messages import Call, CallResult, _validate_payload, pack

    version = corpus.version
    work = [
        (frame[0], frame[1], action, frame[3] if frame[0] == 2 else frame[2])
        for frame, action in zip(corpus.parsed, corpus.actions, strict=True)
    ]

    def run() -> int:
        failures = 0
        for kind, message_id, action, payload in work:
            if kind == 2:
                message: Any = Call(message_id, action, payload)
            else:
                message = CallResult(message_id, payload, action)
            try:
                _validate_payload(message, version)
            except OCPPError:
                failures += 1
            pack(message)
        return failures

    return run


# mobilityhouse as its ChargePoint really runs: `await validate_payload` (a thread-pool
# hop per message), and the conversions between camelCase dicts and its dataclasses
# (charge_point.camel_to_snake_case / serialize_as_dict / snake_to_camel_case /
# remove_nones), in the order ChargePoint.route_message, _handle_call and call use them.

_MH_PACKAGES = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
_loop: "Any" = None


def _event_loop() -> "Any":
    global _loop
    if _loop is None:
        import asyncio

        _loop = asyncio.new_event_loop()
    return _loop


def _mh_modules(version: str) -> "tuple[Any, Any]":
    import importlib

    package = _MH_PACKAGES[version]
    return (
        importlib.import_module(f"ocpp.{package}.call"),
        importlib.import_module(f"ocpp.{package}.call_result"),
    )


def shipped_receive(corpus: Corpus) -> "Callable[[], int]":
    from ocpp.charge_point import camel_to_snake_case
    from ocpp.messages import Call, unpack, validate_payload

    _, results = _mh_modules(corpus.version)
    texts = corpus.texts
    version = corpus.version
    loop = _event_loop()

    async def receive_all() -> int:
        pending: dict[str, str] = {}
        failures = 0
        for text in texts:
            try:
                message = unpack(text)
                if isinstance(message, Call):
                    pending[message.unique_id] = message.action
                    await validate_payload(message, version)
                    camel_to_snake_case(message.payload)  # the handler's keyword arguments
                else:
                    message.action = pending.pop(message.unique_id)
                    await validate_payload(message, version)
                    payload = camel_to_snake_case(message.payload)
                    getattr(results, message.action)(**payload)  # what call() returns
            except Exception:  # OCPPError, or a TypeError of a dataclass that does not fit
                failures += 1
        return failures

    def run() -> int:
        failures: int = loop.run_until_complete(receive_all())
        return failures

    return run


def shipped_send(corpus: Corpus) -> "Callable[[], int]":
    from ocpp.charge_point import (
        camel_to_snake_case,
        remove_nones,
        serialize_as_dict,
        snake_to_camel_case,
    )
    from ocpp.messages import Call, CallResult, validate_payload

    calls, results = _mh_modules(corpus.version)
    version = corpus.version
    loop = _event_loop()
    work = []
    unbuildable = 0
    for frame, action in zip(corpus.parsed, corpus.actions, strict=True):
        module = calls if frame[0] == 2 else results
        try:  # the typed payload a user hands to ChargePoint.call or returns from a handler
            payload = getattr(module, action)(**camel_to_snake_case(frame[-1]))
        except TypeError:
            unbuildable += 1
            continue
        work.append((frame[0], frame[1], action, payload))

    async def send_all() -> int:
        failures = unbuildable
        for kind, message_id, action, payload in work:
            try:
                if kind == 2:  # ChargePoint.call
                    body = remove_nones(snake_to_camel_case(serialize_as_dict(payload)))
                    message: Any = Call(message_id, action, body)
                else:  # ChargePoint._handle_call
                    body = snake_to_camel_case(remove_nones(serialize_as_dict(payload)))
                    message = CallResult(message_id, body, action)
                await validate_payload(message, version)
                message.to_json()
            except Exception:
                failures += 1
        return failures

    def run() -> int:
        failures: int = loop.run_until_complete(send_all())
        return failures

    return run


# ------------------------------------------------------------------------------------


def best_of_interleaved(runs: "list[Callable[[], int]]", repeats: int) -> "list[tuple[float, int]]":
    """`best_of` for several passes at once, alternating them, so that a burst of load
    on the machine hits all of them alike (the ratios are what matters)."""
    failures = [run() for run in runs]  # warm-up
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for index, run in enumerate(runs):
            enabled = gc.isenabled()
            gc.disable()
            try:
                start = time.perf_counter()
                failures[index] = run()
                elapsed = time.perf_counter() - start
            finally:
                if enabled:
                    gc.enable()
            best[index] = min(best[index], elapsed)
    return list(zip(best, failures, strict=True))


def measure(
    corpus: Corpus,
    factories: "list[Callable[[Corpus], Callable[[], int]]]",
    repeats: int,
    block: int = 0,
) -> "list[tuple[float, int]]":
    """(seconds, failures) per implementation for one pass over `corpus`.

    The corpus is cut into blocks of `block` frames (default BLOCK, SLOW_BLOCK for
    mobilityhouse: a block should take milliseconds); each block is timed `repeats` times
    per implementation, alternating them, and the best time of each block is summed.
    On a busy machine a short block is much more likely than a whole pass to run
    without being preempted, so the sum of block minima is a steadier estimate of the
    undisturbed time than the best whole pass.
    """
    totals = [0.0] * len(factories)
    failures = [0] * len(factories)
    for part in corpus.blocks(block or BLOCK):
        timed = best_of_interleaved([factory(part) for factory in factories], repeats)
        for index, (seconds, failed) in enumerate(timed):
            totals[index] += seconds
            failures[index] += failed
    return list(zip(totals, failures, strict=True))


def best_of(run: "Callable[[], int]", repeats: int) -> "tuple[float, int]":
    """Best wall time of `repeats` passes (seconds) and the failures of the last pass."""
    failures = run()  # warm-up: caches (schemas, validators) are filled outside the timing
    best = float("inf")
    for _ in range(repeats):
        enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            failures = run()
            elapsed = time.perf_counter() - start
        finally:
            if enabled:
                gc.enable()
        best = min(best, elapsed)
    return best, failures


def by_action(corpus: Corpus, codec: "Any", repeats: int, top: int) -> None:
    """Where our receive time goes: per (action, CALL/CALLRESULT) group, µs per frame
    for ours and json.loads, and the group's share of our total time."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (action, frame) in enumerate(zip(corpus.actions, corpus.parsed, strict=True)):
        groups.setdefault((action, "CALL" if frame[0] == 2 else "CALLRESULT"), []).append(index)
    decode_frame = codec.decode_frame

    def ours(block: Corpus) -> "Callable[[], int]":
        pairs = [
            (codec.decode_request if frame[0] == 2 else codec.decode_response, action, text)
            for text, action, frame in zip(block.texts, block.actions, block.parsed, strict=True)
        ]

        def run() -> int:
            for decode, action, text in pairs:
                decode(action, decode_frame(text).payload)
            return 0

        return run

    def frames_only(block: Corpus) -> "Callable[[], int]":
        texts = block.texts

        def run() -> int:
            for text in texts:
                decode_frame(text)
            return 0

        return run

    def payloads_only(block: Corpus) -> "Callable[[], int]":
        pairs = [
            (
                codec.decode_request if frame[0] == 2 else codec.decode_response,
                action,
                decode_frame(text).payload,
            )
            for text, action, frame in zip(block.texts, block.actions, block.parsed, strict=True)
        ]

        def run() -> int:
            for decode, action, raw in pairs:
                decode(action, raw)
            return 0

        return run

    (frame_s, _), (payload_s, _), (json_s, _) = measure(
        corpus, [frames_only, payloads_only, json_receive], repeats
    )
    print(
        f"  receive split: decode_frame {frame_s / len(corpus) * 1e6:.2f} µs/frame + "
        f"decode_request/response {payload_s / len(corpus) * 1e6:.2f} "
        f"(json.loads {json_s / len(corpus) * 1e6:.2f})"
    )
    rows = []
    for (action, kind), indices in groups.items():
        (ours_s, _), (json_s, _) = measure(corpus.subset(indices), [ours, json_receive], repeats)
        rows.append((ours_s, json_s, action, kind, len(indices)))
    total = sum(row[0] for row in rows)
    json_total = sum(row[1] for row in rows)
    print(
        f"  receive by action (sum of groups: ours {total / len(corpus) * 1e6:.2f} µs/frame,"
        f" json.loads {json_total / len(corpus) * 1e6:.2f}); top {top} by share of ours:"
    )
    print(
        f"    {'action':<34} {'kind':<10} {'frames':>6} {'ours µs':>9} {'json µs':>8}"
        f" {'ratio':>7} {'share':>6}"
    )
    for ours_s, json_s, action, kind, count in sorted(rows, reverse=True)[:top]:
        print(
            f"    {action:<34} {kind:<10} {count:>6} {ours_s / count * 1e6:9.2f} "
            f"{json_s / count * 1e6:8.2f} {ours_s / json_s:7.2f} {ours_s / total * 100:5.1f}%"
        )


def _load_ours() -> "tuple[Any, tuple[type, ...], str]":
    try:
        from ocpp_core.codec import Codec
        from ocpp_core.errors import LocalProtocolError, RemoteProtocolError
    except ImportError as exc:
        return None, (), str(exc)
    return Codec, (RemoteProtocolError, LocalProtocolError), ""


def _fmt(value: "float | None") -> str:
    return "n/a" if value is None else f"{value:10.2f}"


def _ratio(numerator: "float | None", denominator: "float | None", suffix: str = "") -> str:
    if numerator is None or denominator is None or denominator == 0:
        return "n/a"
    return f"{numerator / denominator:.2f}{suffix}"


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--repeats", type=int, help="passes per measurement (best is kept)")
    parser.add_argument(
        "--ocpp", choices=[version for version, _ in FILES], action="append", help="only these"
    )
    parser.add_argument(
        "--by-action",
        type=int,
        nargs="?",
        const=12,
        metavar="N",
        help="also show where our receive time goes: the N costliest action groups",
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 7)
    slow_repeats = max(1, repeats // 2 if args.quick else min(repeats, 3))

    import msgspec

    try:
        from importlib.metadata import version as dist_version

        mobilityhouse = dist_version("ocpp")
    except Exception:
        mobilityhouse = "?"
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.machine()}, msgspec {msgspec.__version__}, mobilityhouse ocpp "
        f"{mobilityhouse}; best of {repeats} passes ({slow_repeats} for mobilityhouse"
        f"{', on every 5th CALL/CALLRESULT pair' if args.quick else ''})"
    )
    codec_class, errors, missing = _load_ours()
    if codec_class is None:
        print(f"ocpp-toolkit codec not importable ({missing}): its rows show n/a")

    rows = []
    for version, name in FILES:
        if args.ocpp and version not in args.ocpp:
            continue
        corpus = Corpus(version, CORPUS / name)
        count = len(corpus)
        print(
            f"\nOCPP {version}: {name}, {count} frames ({corpus.calls} CALL + "
            f"{corpus.results} CALLRESULT), {corpus.bytes / 1e6:.2f} MB"
        )
        results: dict[str, list[Any]] = {}
        factories: list[Callable[[Corpus], Callable[[], int]]] = [json_receive, json_send]
        if codec_class is not None:
            codec = codec_class(version)
            factories.append(lambda block, codec=codec: ours_receive(block, codec, errors))
            factories.append(lambda block, codec=codec: ours_send(ours_typed(block, codec), codec))
        timed = measure(corpus, factories, repeats)
        results["json"] = [timed[0][0] / count * 1e6, timed[1][0] / count * 1e6, 0, 0]
        if codec_class is not None:
            results["ours"] = [
                timed[2][0] / count * 1e6,
                timed[3][0] / count * 1e6,
                timed[2][1],
                timed[3][1],
            ]
        # mobilityhouse is ~100x slower: --quick times it on every 5th CALL/CALLRESULT pair.
        slow = corpus.every_nth_pair(5) if args.quick else corpus
        (seconds, failed_in), (send_seconds, failed_out) = measure(
            slow, [mobilityhouse_receive, mobilityhouse_send], slow_repeats, SLOW_BLOCK
        )
        results["mobilityhouse"] = [
            seconds / len(slow) * 1e6,
            send_seconds / len(slow) * 1e6,
            failed_in,
            failed_out,
        ]
        if not args.quick:
            (seconds, failed_in), (send_seconds, failed_out) = measure(
                slow, [shipped_receive, shipped_send], slow_repeats, SLOW_BLOCK
            )
            results["shipped"] = [
                seconds / len(slow) * 1e6,
                send_seconds / len(slow) * 1e6,
                failed_in,
                failed_out,
            ]
        labels = (
            ("ours", "ocpp-toolkit Codec"),
            ("mobilityhouse", f"mobilityhouse ocpp {mobilityhouse}"),
            ("shipped", "  as ChargePoint runs it"),
            ("json", "json.loads / json.dumps"),
        )
        print(f"  {'implementation':<28} {'receive µs':>10} {'send µs':>10}  rejected")
        for key, label in labels:
            row = results.get(key)
            if row is None:
                if key != "shipped":
                    print(f"  {label:<28} {'n/a':>10} {'n/a':>10}")
                continue
            print(f"  {label:<28} {_fmt(row[0])} {_fmt(row[1])}  {row[2]} / {row[3]}")
        ours = results.get("ours")
        rows.append((version, count, results))
        if ours is not None:
            print(
                f"  receive: ours / json.loads = {_ratio(ours[0], results['json'][0])} "
                f"(target < {TARGET_VS_JSON:.1f}); mobilityhouse / ours = "
                f"{_ratio(results['mobilityhouse'][0], ours[0], 'x')} "
                f"(target >= {TARGET_VS_MOBILITYHOUSE:.0f}x)"
            )
            print(
                f"  send:    ours / json.dumps = {_ratio(ours[1], results['json'][1])}; "
                f"mobilityhouse / ours = {_ratio(results['mobilityhouse'][1], ours[1], 'x')}"
            )
            shipped = results.get("shipped")
            if shipped is not None:
                print(
                    f"  as ChargePoint runs it: mobilityhouse / ours = "
                    f"{_ratio(shipped[0], ours[0], 'x')} receive, "
                    f"{_ratio(shipped[1], ours[1], 'x')} send"
                )
        if args.by_action and codec_class is not None:
            by_action(corpus, codec_class(version), repeats, args.by_action)

    print("\nSummary, µs per frame (mh = mobilityhouse core path, mh* = as ChargePoint runs it)")
    met = {"core": True, "shipped": True}
    for index, (what, floor) in enumerate((("receive", "json.loads"), ("send", "json.dumps"))):
        print(
            f"  {what:<7} {'frames':>6} {'ours':>8} {floor:>10} {'mh':>9} {'mh*':>9}"
            f" {'ours/floor':>10} {'mh/ours':>8} {'mh*/ours':>8}"
        )
        for version, count, results in rows:
            ours = (results.get("ours") or [None, None])[index]
            json_value = results["json"][index]
            mh = results["mobilityhouse"][index]
            shipped = (results.get("shipped") or [None, None])[index]
            print(
                f"  {version:<7} {count:>6} {_fmt(ours)[-8:]:>8} {json_value:10.2f} {mh:9.1f}"
                f" {_fmt(shipped)[-9:]:>9} {_ratio(ours, json_value):>10}"
                f" {_ratio(mh, ours, 'x'):>8} {_ratio(shipped, ours, 'x'):>8}"
            )
            if index == 0:
                fast_enough = ours is not None and ours / json_value < TARGET_VS_JSON
                if not (fast_enough and ours is not None and mh / ours >= TARGET_VS_MOBILITYHOUSE):
                    met["core"] = False
                if not (
                    fast_enough
                    and shipped is not None
                    and ours is not None
                    and shipped / ours >= TARGET_VS_MOBILITYHOUSE
                ):
                    met["shipped"] = False
    print(
        "\nreceive target (ours/json.loads < 1.0 and mobilityhouse/ours >= 100x on every"
        f" version): {'met' if met['core'] else 'NOT met'} against the mobilityhouse core path"
        + (
            f", {'met' if met['shipped'] else 'NOT met'} against mobilityhouse as ChargePoint runs it"
            if not args.quick
            else ""
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
