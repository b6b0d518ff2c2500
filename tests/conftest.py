import os
import sys

from hypothesis import HealthCheck, settings

# ocpp_asyncio (and later bindings) live in bindings/; an editable install made before
# they existed does not put that directory on sys.path.
_BINDINGS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bindings")
if _BINDINGS not in sys.path:
    sys.path.insert(0, _BINDINGS)

# Speed is measured in bench/, not asserted by tests: on a loaded 2-core CI machine a
# per-example deadline only produces flaky failures, so no example has one.
settings.register_profile(
    "ocpp", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("ocpp")
