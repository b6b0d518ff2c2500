"""Helpers shared by the RPC session tests (no tests here).

The session takes either codec: `PyCodec` (dict payloads, always available) and the
msgspec `Codec` (typed Structs) when it exists. Tests run on every codec present; the
helpers build the message in the form the session's codec expects, from a wire dict.
"""

import importlib

from ocpp_core import versions
from ocpp_core.config import RpcConfig
from ocpp_core.ids import CounterIds
from ocpp_core.pycodec import PyCodec
from ocpp_core.rpc import RpcSession

VERSIONS = (versions.V16, versions.V201, versions.V21)
ROLES = (versions.STATION, versions.CSMS)

try:
    from ocpp_core.codec import Codec
except ImportError:  # not written yet, or no msgspec: the pure codec only
    Codec = None

CODECS = ["py"] if Codec is None else ["py", "msgspec"]

_MODULES = {versions.V16: "v16", versions.V201: "v201", versions.V21: "v21"}

NOW = 1000.0
TIME = "2024-01-01T00:00:00Z"

# One CALL each role sends in every version, with a valid response (same wire shapes
# in 1.6, 2.0.1 and 2.1): the station sends Heartbeat, the CSMS sends ClearCache.
OWN_ACTION = {versions.STATION: "Heartbeat", versions.CSMS: "ClearCache"}
RESPONSES = {
    "Heartbeat": {"currentTime": TIME},
    "ClearCache": {"status": "Accepted"},
}


def other(role):
    return versions.CSMS if role == versions.STATION else versions.STATION


_CODEC_CACHE = {}


def make_codec(name, version):
    """One codec per (kind, version), shared: a codec keeps no per-connection state."""
    key = (name, version)
    if key not in _CODEC_CACHE:
        _CODEC_CACHE[key] = PyCodec(version) if name == "py" else Codec(version)
    return _CODEC_CACHE[key]


def session(role, version, codec="py", prefix=None, **knobs):
    """A session whose ids are '<role initial>1', '<role initial>2', ..."""
    if prefix is None:
        prefix = role[0]
    return RpcSession(
        role, version, CounterIds(prefix), RpcConfig(**knobs), make_codec(codec, version)
    )


def _typed(sess, registry, action, payload):
    import msgspec

    module = importlib.import_module("ocpp_core." + _MODULES[sess.version] + ".messages")
    return msgspec.convert(payload, getattr(module, registry)[action])


def request(sess, action, payload=None):
    """(message, action keyword) for `sess.call(...)`."""
    payload = {} if payload is None else payload
    if sess.codec.__class__.__name__ == "PyCodec":
        return payload
    return _typed(sess, "REQUESTS", action, payload)


def response(sess, action, payload=None):
    payload = RESPONSES[action] if payload is None else payload
    if sess.codec.__class__.__name__ == "PyCodec":
        return payload
    return _typed(sess, "RESPONSES", action, payload)


def send_message(sess, action, payload):
    if sess.codec.__class__.__name__ == "PyCodec":
        return payload
    return _typed(sess, "SENDS", action, payload)


def call(sess, action, now=NOW, payload=None, **kwargs):
    """`sess.call` with the right message form; returns the message id."""
    return sess.call(request(sess, action, payload), now, action=action, **kwargs)


def kinds(events):
    return [type(event).__name__ for event in events]
