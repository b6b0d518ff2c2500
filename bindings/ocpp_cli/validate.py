"""`ocpp-toolkit validate`: check a log of one OCPP-J connection, frame by frame.

Input: one frame per line, in the order seen on the connection. A line is either the
raw WebSocket text message (`[2,"19",...]`) or a JSON object with a `"frame"` string
(the corpus and simulator log format: `{"direction": "cs->csms", "frame": "..."}`;
`direction` may also be `"in"` / `"out"`, read with `--role`). Blank lines are skipped;
line numbers are physical lines.

Output: one JSON object per frame on stdout, `{"line": N, "valid": true}` or
`{"line": N, "valid": false, "error_code": ..., "path": ..., "message": ...}` where
`error_code` is the CALLERROR code the receiver of that frame would answer, in the
version's spelling. The validation itself is `LogValidator`, which holds the state a
receiver keeps (open CALLs by id); the rest of this module is file handling.
"""

import argparse
import json
import sys
from typing import IO, Any, Optional

from ocpp_cli.usage import EXIT_CHECK_FAILED, EXIT_OK, UsageError


def _log() -> "Any":
    # logging is imported on first use, not for --help (it costs ~10 ms to import).
    import logging

    return logging.getLogger("ocpp_cli.validate")


# Kept literal (not imported from ocpp_core.versions) so that building the parser for
# `--help` imports nothing from the core; tests check it equals versions.VERSIONS.
VERSION_CHOICES = ("1.6", "2.0.1", "2.1")
ROLE_CHOICES = ("station", "csms")
CODEC_CHOICES = ("fast", "pure")
_SCHEMA_PACKAGE = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}

# The `direction` spellings of log lines, mapped to the sender's role.
_SENDER_OF_DIRECTION = {
    "cs->csms": "station",
    "cp->csms": "station",
    "station->csms": "station",
    "csms->cs": "csms",
    "csms->cp": "csms",
    "csms->station": "csms",
}
_OTHER_ROLE = {"station": "csms", "csms": "station"}

CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND = 2, 3, 4, 5, 6
_KIND_NAME = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR", 5: "CALLRESULTERROR", 6: "SEND"}

# How many answered CALLRESULT ids a 2.1 log keeps for matching a later
# CALLRESULTERROR: it follows its CALLRESULT closely, and a long log must not grow
# without bound.
_RESULTS_KEPT = 4096


class Problem:
    """Why one frame is invalid: the code its receiver would answer, a path, a reason."""

    __slots__ = ("code", "message", "path")

    def __init__(self, code: str, path: str, message: str) -> None:
        self.code = code
        self.path = path
        self.message = message

    def __repr__(self) -> str:
        return f"Problem({self.code!r}, {self.path!r}, {self.message!r})"


class _OpenCall:
    __slots__ = ("action", "line", "side")

    def __init__(self, side: "Optional[str]", action: "Optional[str]", line: int) -> None:
        self.side = side
        self.action = action
        self.line = line


def _answers(reply_side: "Optional[str]", call_side: "Optional[str]") -> bool:
    # A reply comes from the other side. An unknown side matches anything; "in"/"out"
    # (no --role) and roles only ever meet in a log that mixes both, where the
    # comparison is as good as unknown.
    return reply_side is None or call_side is None or reply_side != call_side


class LogValidator:
    """Validates the frames of one connection in order, as its two receivers would.

    `check(text, side)` returns None for a valid frame, else a `Problem`. `side` names
    the sender when the log says it: `"station"` / `"csms"`, or `"in"` / `"out"` when
    the log's owner is unknown; None when the log does not say.
    """

    def __init__(self, version: str, codec: str = "fast") -> None:
        import importlib

        from ocpp_core import versions
        from ocpp_core.errors import RemoteProtocolError
        from ocpp_core.frames import answer_id_for

        self.version = version
        self._codec: Any
        if codec == "pure":
            from ocpp_core.pycodec import PyCodec

            self._codec = PyCodec(version)
        else:
            from ocpp_core.codec import Codec

            self._codec = Codec(version)
        self._remote_error = RemoteProtocolError
        schema = importlib.import_module(f"ocpp_core.{_SCHEMA_PACKAGE[version]}.schema")
        self._senders = {action: entry[0] for action, entry in schema.ACTIONS.items()}
        self._both = versions.BOTH
        self._unmatched_code = versions.code_for(version, versions.UNMATCHED_RESPONSE)
        self._duplicate_code = versions.code_for(version, versions.DUPLICATE_ID)
        self._not_supported_code = versions.code_for(version, versions.ACTION_NOT_SUPPORTED)
        self._answer_id_for = answer_id_for
        self._open_calls: dict[str, list[_OpenCall]] = {}
        # 2.1: the CALLRESULTs a CALLRESULTERROR may still reject, id -> senders.
        self._results: dict[str, list[Optional[str]]] = {}

    def check(self, text: str, side: "Optional[str]" = None, line: int = 0) -> "Optional[Problem]":
        try:
            frame = self._codec.decode_frame(text)
        except self._remote_error as exc:
            self._remember_broken(exc, side, line)
            return Problem(exc.violation.code, exc.violation.path, exc.violation.message)
        kind = frame.kind
        if kind == CALL:
            return self._check_call(frame, side, line)
        if kind == SEND:
            return self._check_payload(self._codec.decode_send, frame.action, frame.payload, side)
        if kind == CALLRESULT:
            return self._check_result(frame, side)
        if kind == CALLERROR:
            return self._check_error(frame, side)
        return self._check_result_error(frame, side)

    # -- per kind --------------------------------------------------------------------

    def _check_call(self, frame: "Any", side: "Optional[str]", line: int) -> "Optional[Problem]":
        message_id = frame.message_id
        open_calls = self._open_calls.setdefault(message_id, [])
        duplicate_of = None
        for call in open_calls:
            if side is None or call.side is None or call.side == side:
                duplicate_of = call
                break
        # Kept even when it is a duplicate: its answer (a CALLERROR) carries this id too.
        open_calls.append(_OpenCall(side, frame.action, line))
        if duplicate_of is not None:
            return Problem(
                self._duplicate_code,
                "",
                f"CALL id {message_id!r} is already in use by the unanswered CALL"
                f" on line {duplicate_of.line}",
            )
        return self._check_payload(self._codec.decode_request, frame.action, frame.payload, side)

    def _check_result(self, frame: "Any", side: "Optional[str]") -> "Optional[Problem]":
        call = self._take_open_call(frame.message_id, side)
        if call is None:
            return self._unmatched(frame)
        if self.version == "2.1":  # only 2.1 has CALLRESULTERROR
            self._remember_result(frame.message_id, side)
        if call.action is None:
            return Problem(
                self._unmatched_code,
                "",
                f"CALLRESULT for the broken frame on line {call.line}: only a CALLERROR answers it",
            )
        try:
            self._codec.decode_response(call.action, frame.payload)
        except self._remote_error as exc:
            return Problem(exc.violation.code, exc.violation.path, exc.violation.message)
        return None

    def _check_error(self, frame: "Any", side: "Optional[str]") -> "Optional[Problem]":
        if self._take_open_call(frame.message_id, side) is not None:
            return None
        return self._unmatched(frame)

    def _check_result_error(self, frame: "Any", side: "Optional[str]") -> "Optional[Problem]":
        senders = self._results.get(frame.message_id)
        if senders:
            for index, sender in enumerate(senders):
                if _answers(side, sender):
                    del senders[index]
                    return None
        return Problem(
            self._unmatched_code,
            "",
            f"CALLRESULTERROR with id {frame.message_id!r} rejects no CALLRESULT seen in this log",
        )

    # -- helpers ---------------------------------------------------------------------

    def _check_payload(
        self, decode: "Any", action: str, payload: "Any", side: "Optional[str]"
    ) -> "Optional[Problem]":
        sender = self._senders.get(action)
        if sender is not None and sender != self._both and side in _OTHER_ROLE and side != sender:
            # Checked before the payload: a receiver that never handles the action
            # answers NotSupported without looking at the payload.
            return Problem(
                self._not_supported_code,
                "",
                f"{action} is sent by the {_role_name(sender)} only;"
                f" the {_role_name(side)} does not handle it",
            )
        try:
            decode(action, payload)
        except self._remote_error as exc:
            return Problem(exc.violation.code, exc.violation.path, exc.violation.message)
        return None

    def _take_open_call(self, message_id: str, side: "Optional[str]") -> "Optional[_OpenCall]":
        open_calls = self._open_calls.get(message_id)
        if not open_calls:
            return None
        for index, call in enumerate(open_calls):
            if _answers(side, call.side):
                del open_calls[index]
                if not open_calls:
                    del self._open_calls[message_id]
                return call
        return None

    def _remember_result(self, message_id: str, side: "Optional[str]") -> None:
        self._results.setdefault(message_id, []).append(side)
        if len(self._results) > _RESULTS_KEPT:
            del self._results[next(iter(self._results))]  # the oldest (insertion order)

    def _remember_broken(self, exc: "Any", side: "Optional[str]", line: int) -> None:
        # A broken frame may still be answered, and the answer belongs in the log: a
        # CALL (or unknown message type) gets a CALLERROR with its id, or with "-1" in
        # 2.x when the id cannot be read; a broken 2.1 CALLRESULT a CALLRESULTERROR.
        # ocpp_core.frames.answer_id says which id, if any.
        answer = self._answer_id_for(self.version, exc, True)
        if answer is None:
            return
        if exc.kind == CALLRESULT:
            self._remember_result(answer, side)
            return
        self._open_calls.setdefault(answer, []).append(_OpenCall(side, None, line))

    def _unmatched(self, frame: "Any") -> Problem:
        return Problem(
            self._unmatched_code,
            "",
            f"{_KIND_NAME[frame.kind]} with id {frame.message_id!r}"
            " answers no open CALL in this log",
        )


def _role_name(role: str) -> str:
    return "charging station" if role == "station" else "CSMS"


# ------------------------------------------------------------------------------------
# command line


def add_parser(subparsers: "Any", parents: "list[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "validate",
        parents=parents,
        help="validate a log of one OCPP-J connection, one frame per line",
        description=(
            "Validate a log of one OCPP-J connection: one frame per line, raw "
            '(`[2,"19","Heartbeat",{}]`) or a JSON object with a "frame" string '
            '(and optionally "direction": "cs->csms" / "csms->cs" / "in" / "out"). '
            "Prints one JSON object per frame: valid, or the CALLERROR code its "
            "receiver would answer, the JSON path and the reason."
        ),
        epilog="exit status: 0 every frame valid, 1 some frame invalid, 2 usage error",
    )
    parser.add_argument(
        "--ocpp",
        required=True,
        choices=VERSION_CHOICES,
        metavar="VERSION",
        help="OCPP version of the connection: " + ", ".join(VERSION_CHOICES),
    )
    parser.add_argument(
        "--role",
        choices=ROLE_CHOICES,
        help='the side that wrote the log, to read "in"/"out" directions '
        "(then an action sent the wrong way is reported)",
    )
    parser.add_argument(
        "--codec",
        choices=CODEC_CHOICES,
        default="fast",
        help="fast: the msgspec codec (default); pure: the pure-Python (MicroPython) "
        "codec. Both give the same answers.",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print a summary to stderr at the end: frames, valid, invalid by code",
    )
    parser.add_argument(
        "--invalid-only",
        action="store_true",
        help="print only the invalid frames (the exit status is unchanged)",
    )
    parser.add_argument("file", metavar="FILE", help="the log file, or - for stdin")
    parser.set_defaults(run=run)


def _sender(direction: object, role: "Optional[str]") -> "Optional[str]":
    if direction is None:
        return None
    if isinstance(direction, str):
        direction = direction.lower()
        sender = _SENDER_OF_DIRECTION.get(direction)
        if sender is not None:
            return sender
        if direction in ("in", "out"):
            if role is None:
                return direction
            return role if direction == "out" else _OTHER_ROLE[role]
    _log().warning("ignoring unknown direction %r", direction)
    return None


def _unwrap(text: str) -> "tuple[str, object, object]":
    """(frame, direction, ocpp) of a line: a log object with a "frame" string, or raw."""
    if text.lstrip()[:1] == "{":
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            return text, None, None
        if isinstance(record, dict):
            frame = record.get("frame")
            if isinstance(frame, str):
                return frame, record.get("direction"), record.get("ocpp")
    return text, None, None


def _open(path: str) -> "tuple[IO[bytes], str]":
    if path == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        return open(path, "rb"), path
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


class _Tally:
    def __init__(self) -> None:
        self.lines = 0
        self.valid = 0
        self.by_code: dict[str, int] = {}

    @property
    def invalid(self) -> int:
        return sum(self.by_code.values())


def validate_stream(
    stream: "IO[bytes]",
    name: str,
    validator: LogValidator,
    out: "IO[str]",
    role: "Optional[str]" = None,
    invalid_only: bool = False,
) -> _Tally:
    tally = _Tally()
    warned_version = False
    number = 0
    try:
        for number, raw in enumerate(stream, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"{name}: line {number} is not UTF-8 text (byte {exc.start + 1}: {exc.reason})"
                ) from None
            if number == 1 and text[:1] == "\ufeff":
                text = text[1:]  # a byte order mark from an editor, not part of a frame
            # Only the line terminator goes; any other whitespace belongs to the frame.
            if text[-1:] == "\n":
                text = text[:-1]
                if text[-1:] == "\r":
                    text = text[:-1]
            if not text.strip():
                continue
            frame_text, direction, version = _unwrap(text)
            if version is not None and version != validator.version and not warned_version:
                _log().warning(
                    "%s line %d says ocpp %r; validating as %s (--ocpp)",
                    name,
                    number,
                    version,
                    validator.version,
                )
                warned_version = True
            problem = validator.check(frame_text, _sender(direction, role), number)
            tally.lines += 1
            if problem is None:
                tally.valid += 1
                if not invalid_only:
                    out.write(f'{{"line": {number}, "valid": true}}\n')
                continue
            tally.by_code[problem.code] = tally.by_code.get(problem.code, 0) + 1
            _log().debug("line %d: %s %s %s", number, problem.code, problem.path, problem.message)
            out.write(
                json.dumps(
                    {
                        "line": number,
                        "valid": False,
                        "error_code": problem.code,
                        "path": problem.path,
                        "message": problem.message,
                    }
                )
                + "\n"
            )
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    return tally


def _write_summary(tally: _Tally, name: str) -> None:
    lines = [f"{name}: {tally.lines} frames, {tally.valid} valid, {tally.invalid} invalid"]
    for code, count in sorted(tally.by_code.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {count:6d}  {code}")
    sys.stderr.write("\n".join(lines) + "\n")


def run(args: argparse.Namespace) -> int:
    stream, name = _open(args.file)
    try:
        validator = LogValidator(args.ocpp, args.codec)
        _log().info("validating %s as OCPP %s", name, args.ocpp)
        tally = validate_stream(stream, name, validator, sys.stdout, args.role, args.invalid_only)
        sys.stdout.flush()
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if args.summary:
        _write_summary(tally, name)
    return EXIT_OK if tally.invalid == 0 else EXIT_CHECK_FAILED
