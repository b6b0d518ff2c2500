"""Back-pressure in the trio and threads bindings (asyncio has its own test, with its
transport's buffer): a client floods CALLs and reads nothing; the CSMS stops reading
once the client does not take its answers, so the client's sends stall; once the
client reads again every CALL is answered, in order."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect as ws_connect

from ocpp_core.config import RpcConfig
from ocpp_core.handlers import Router
from ocpp_core.ws import CsmsConfig
from tests.bindings import builders as b
from tests.bindings.adapters import ADAPTERS

pytestmark = pytest.mark.timeout(60)

SIZE = 64 * 1024
TOTAL = 400  # 26 MB: far more than the loopback socket buffers hold


@pytest.mark.parametrize("name", ["threads", "trio"])
def test_a_peer_that_does_not_read_is_not_buffered_without_bound(name):
    adapter = ADAPTERS[name]()
    router = Router()
    router.add(
        b.messages_of("2.0.1").DataTransferRequest,
        lambda conn, request: b.data_transfer_response("2.0.1", request.data),
    )
    config = CsmsConfig(
        path_prefix="/ocpp/",
        versions=("2.0.1",),
        permessage_deflate=False,
        rpc_config=RpcConfig(max_incoming_calls=10_000),
        max_message_size=4 * SIZE,
    )
    frame = '[2,"{}","DataTransfer",{{"vendorId":"v","data":"' + "x" * SIZE + '"}}]'

    async def scenario(url):
        async with ws_connect(
            url, subprotocols=["ocpp2.0.1"], compression=None, max_size=None, max_queue=4
        ) as ws:
            sent = 0

            async def flood():
                nonlocal sent
                while sent < TOTAL:
                    await ws.send(frame.format(sent))
                    sent += 1

            task = asyncio.ensure_future(flood())
            last, quiet = -1, 0
            while not task.done() and quiet < 30:  # no progress for 0.3 s: stalled
                await asyncio.sleep(0.01)
                quiet = quiet + 1 if sent == last else 0
                last = sent
            stalled = not task.done()
            task.cancel()
            answers = []
            while len(answers) < sent:
                answers.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
        return stalled, sent, answers

    try:
        server = adapter.serve(config, router)
        stalled, sent, answers = asyncio.run(scenario(server.url("/ocpp/FLOOD")))
    finally:
        adapter.shutdown()
    assert stalled and 10 < sent < TOTAL
    assert [a[:2] for a in answers] == [[3, str(i)] for i in range(sent)]
    assert all(len(a[2]["data"]) == SIZE for a in answers)
