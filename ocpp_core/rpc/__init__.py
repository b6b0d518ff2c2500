"""OCPP-J RPC sessions: framing, correlation, one CALL in flight, timeouts.

`RpcSession(role, version, id_factory, config=None, codec=None)` is the whole API; see
`ocpp_core.rpc.session` and docs/rpc.md. Events come from `ocpp_core.events`, knobs
from `ocpp_core.config.RpcConfig`, id factories from `ocpp_core.ids`.
"""

from ocpp_core.rpc.session import RpcSession

__all__ = ["RpcSession"]
