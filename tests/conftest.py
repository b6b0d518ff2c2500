import os
import sys

# ocpp_asyncio (and later bindings) live in bindings/; an editable install made before
# they existed does not put that directory on sys.path.
_BINDINGS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bindings")
if _BINDINGS not in sys.path:
    sys.path.insert(0, _BINDINGS)
