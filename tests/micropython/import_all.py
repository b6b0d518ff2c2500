"""Import every ocpp_core module the runner copied, and say what was imported.

Runs on MicroPython (through run.mjs, which copies the MicroPython-safe files to
/repo) and on CPython. Output: one `imported <module>` line per module, sorted, then
`# ...` lines with import times and heap use (informational, not compared).
"""

import gc
import os
import sys
import time

ON_MICROPYTHON = sys.implementation.name == "micropython"


def ticks_ms():
    # MicroPython has no time.perf_counter; CPython has no time.ticks_ms.
    if ON_MICROPYTHON:
        return time.ticks_ms()
    return int(time.perf_counter() * 1000)


def find_root():
    for entry in sys.path:
        if entry and _isdir(entry + "/ocpp_core"):
            return entry
    raise SystemExit("ocpp_core not found on sys.path")


def _isdir(path):
    try:
        return os.stat(path)[0] & 0o170000 == 0o040000
    except OSError:
        return False


def module_names(root, rel):
    names = []
    for name in sorted(os.listdir(root + "/" + rel)):
        child = rel + "/" + name
        if _isdir(root + "/" + child):
            if name != "__pycache__":
                names.extend(module_names(root, child))
        elif name.endswith(".py"):
            dotted = child[: -len(".py")].replace("/", ".")
            if dotted.endswith(".__init__"):
                dotted = dotted[: -len(".__init__")]
            names.append(dotted)
    return names


def mem_alloc():
    gc.collect()
    if ON_MICROPYTHON:
        return gc.mem_alloc()
    return 0


def main():
    root = find_root()
    names = sorted(module_names(root, "ocpp_core"))
    # Only the modules copied to MicroPython (run.mjs --list-files) are passed in argv
    # on CPython, so both interpreters import the same set.
    if len(sys.argv) > 1:
        wanted = sys.argv[1:]
        names = [n for n in names if n in wanted]
    timings = []
    for name in names:
        before_mem = mem_alloc()  # collects garbage first: keep it out of the timing
        before_ms = ticks_ms()
        __import__(name)
        elapsed_ms = ticks_ms() - before_ms
        timings.append((name, elapsed_ms, mem_alloc() - before_mem))
        print("imported", name)
    for name, ms, mem in timings:
        print(f"# {name}: {ms} ms, {mem} bytes of heap")
    print(f"# total heap in use: {mem_alloc()} bytes")


main()
