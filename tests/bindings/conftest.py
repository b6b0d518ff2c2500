import pytest

from tests.bindings.adapters import ADAPTERS


@pytest.fixture(params=sorted(ADAPTERS))
def adapter(request):
    """Each binding's adapter (tests/bindings/adapters.py); one event loop per test."""
    instance = ADAPTERS[request.param]()
    yield instance
    instance.shutdown()
