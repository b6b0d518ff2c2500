"""What importing each generated schema module costs on MicroPython: heap and time.

Prints `<module> <bytes> bytes <ms> ms` per version; the heap figure is what stays
allocated after the import (after a collection), the time includes compiling the
source (a device would import precompiled .mpy files and skip that part).
MicroPython only: it uses gc.mem_alloc and time.ticks_ms.
"""

import gc
import sys
import time

for package in sys.argv[1:] or ("v16", "v201", "v21"):
    name = "ocpp_core." + package + ".schema"
    gc.collect()
    before = gc.mem_alloc()
    started = time.ticks_ms()
    __import__(name)
    elapsed = time.ticks_diff(time.ticks_ms(), started)
    gc.collect()
    print(name + " " + str(gc.mem_alloc() - before) + " bytes " + str(elapsed) + " ms")
