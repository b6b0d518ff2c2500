"""Where a server's CPU goes, from py-spy's raw (folded) samples, by layer:

    .venv/bin/python bench/e2e_profile.py ours.folded     # written by bench/e2e.py --py-spy

Each sample is charged to the layer of its innermost frame that belongs to a known
layer (ocpp_core.codec, .rpc, .ws, .connection, wsproto/h11, ocpp_asyncio, asyncio's
transports, asyncio's loop/tasks/futures, ...), so that C code called from a layer (a
msgspec decode, a socket send) counts for that layer. Then the functions with the most
samples of their own, and inclusive, for the details.
"""

import argparse
import re
import sys
from collections import Counter
from typing import IO

# (layer, substrings of a frame "function (path:line)" that put it in the layer), the
# first match from the innermost frame outwards wins.
LAYERS = (
    ("ocpp_core.codec (msgspec decode/encode, guards)", ("ocpp_core/codec", "msgspec")),
    ("ocpp_core.rpc (session, correlation)", ("ocpp_core/rpc",)),
    ("wsproto / h11 (WebSocket framing)", ("wsproto/", "h11/")),
    ("ocpp_core.ws (handshake, framing wrapper)", ("ocpp_core/ws",)),
    ("ocpp_core.connection / events", ("ocpp_core/connection", "ocpp_core/events")),
    ("ocpp_core.handlers", ("ocpp_core/handlers",)),
    ("handlers (bench/e2e_servers.py)", ("e2e_servers",)),
    ("ocpp_asyncio (binding)", ("ocpp_asyncio/",)),
    ("mobilityhouse ocpp", ("ocpp/charge_point", "ocpp/messages", "ocpp/routing")),
    ("jsonschema", ("jsonschema", "referencing", "rpds")),
    ("websockets", ("websockets/",)),
    ("epoll (waiting for the peer)", ("epoll", "selectors.py")),
    ("asyncio transports (socket I/O)", ("selector_events",)),
    ("asyncio streams", ("asyncio/streams",)),
    ("asyncio loop, tasks, futures", ("asyncio/",)),
)


_LINE = re.compile(r":\d+\)$")  # "f (path:12)" -> "f (path)": inclusive is per function


def layer_of(frames: "list[str]") -> str:
    for frame in reversed(frames):
        for layer, needles in LAYERS:
            if any(needle in frame for needle in needles):
                return layer
    return "other"


def summarize(lines: "IO[str]", out: "IO[str]", top: int = 15) -> int:
    total = 0
    layers: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        layers[layer_of(frames)] += count
        own[frames[-1]] += count
        for function in {_LINE.sub(")", frame) for frame in frames}:
            inclusive[function] += count
    if not total:
        out.write("no samples\n")
        return 0
    out.write(f"{total} samples; share of the server's CPU by layer:\n")
    for layer, count in layers.most_common():
        out.write(f"  {count / total * 100:5.1f}%  {layer}\n")
    out.write(f"functions with the most samples of their own (top {top}):\n")
    for frame, count in own.most_common(top):
        out.write(f"  {count / total * 100:5.1f}%  {frame}\n")
    # A coroutine resumed by the loop is sampled without its caller: inclusive shares are
    # lower bounds for functions above an `await`.
    out.write(f"inclusive per function, ocpp_core and ocpp_asyncio only (top {top}):\n")
    ours = [(f, c) for f, c in inclusive.items() if "ocpp_core/" in f or "ocpp_asyncio/" in f]
    for frame, count in sorted(ours, key=lambda item: -item[1])[:top]:
        out.write(f"  {count / total * 100:5.1f}%  {frame}\n")
    return total


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folded", help="py-spy record --format raw output")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    with open(args.folded, encoding="utf-8") as lines:
        summarize(lines, sys.stdout, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
