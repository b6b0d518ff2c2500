"""Record real WebSocket conversations for tests/test_ws_replay.py (run once, commit the output).

    .venv/bin/python tests/data/handshakes/record.py

Each scenario runs over loopback TCP between ocpp_core.ws and an independent
implementation (the `websockets` package) and writes <name>.json beside this script:
every chunk each side wrote, base64-encoded, in order ("c2s": client to server,
"s2c": server to client), plus the parameters needed to replay it. The tests replay
these bytes; where Sec-WebSocket-Key/Accept must match, they replay the recorded pair.
"""

import asyncio
import base64
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

import websockets  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402

from ocpp_core import events as ev  # noqa: E402
from ocpp_core.ws import CsmsConfig, StationConfig, WsClient, WsServer  # noqa: E402
from ocpp_core.ws.identity import basic_authorization  # noqa: E402

IDENTITY = "CP 01"
PASSWORD = "0123456789abcdef0123"
KEY = bytes(range(16))  # the Sec-WebSocket-Key nonce our client sends
CALL = '[2,"m1","Heartbeat",{}]'
RESULT = '[3,"m1",{"currentTime":"2026-11-25T17:00:00Z"}]'
FRAGMENTS = ['[2,"m2","DataTransfer",', '{"vendorId":"rec","data":"', "x" * 3000 + '"}]']


def b64(chunks: "list[bytes]") -> "list[str]":
    return [base64.b64encode(c).decode("ascii") for c in chunks]


def save(name: str, meta: dict, c2s: "list[bytes]", s2c: "list[bytes]") -> None:
    path = HERE / (name + ".json")
    record = {"meta": meta, "c2s": b64(c2s), "s2c": b64(s2c)}
    path.write_text(json.dumps(record, indent=1) + "\n")
    print("wrote", path.name, sum(map(len, c2s)), "bytes c2s,", sum(map(len, s2c)), "bytes s2c")


# -- a real client (websockets) against our server --------------------------------
async def client_to_our_server(name: str, compression: "str | None") -> None:
    c2s: list[bytes] = []
    s2c: list[bytes] = []
    done = asyncio.Event()
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1", "1.6"))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server = WsServer(config, now=0.0)
        closed = False
        while not closed:
            data = await reader.read(65536)
            c2s.append(data)
            server.receive_data(data, 0.0)
            for event in server.events():
                if isinstance(event, ev.ConnectionRequested):
                    server.accept()
                elif isinstance(event, ev.TextMessage):
                    server.send_text(
                        RESULT if event.text == CALL else '[3,"m2",{"status":"Accepted"}]'
                    )
                elif isinstance(event, ev.ConnectionClosed):
                    closed = True
            out = server.data_to_send()
            if out:
                s2c.append(out)
                writer.write(out)
                await writer.drain()
            if not data:
                break
        writer.close()
        done.set()

    tcp = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    async with connect(
        f"ws://127.0.0.1:{port}/ocpp/CP%2001",
        subprotocols=["ocpp2.0.1", "ocpp1.6"],
        additional_headers={"Authorization": basic_authorization(IDENTITY, PASSWORD)},
        compression=compression,
        ping_interval=None,
        user_agent_header="recorder",
    ) as ws:
        await ws.send(CALL)
        assert await ws.recv() == RESULT
        await ws.send(iter(FRAGMENTS))  # an iterable goes out as a fragmented message
        await ws.recv()
    await done.wait()
    tcp.close()
    meta = {
        "client": f"websockets {websockets.__version__}",
        "server": "ocpp_core.ws.WsServer",
        "path_prefix": "/ocpp/",
        "versions": ["2.0.1", "1.6"],
        "identity": IDENTITY,
        "password": PASSWORD,
        "compression": compression,
        "messages": [CALL, "".join(FRAGMENTS)],
    }
    save(name, meta, [c for c in c2s if c], s2c)


# -- our client against a real server (websockets) ---------------------------------
async def our_client_to_server(
    name: str, compression: "str | None", **server_options: object
) -> None:
    c2s: list[bytes] = []
    s2c: list[bytes] = []

    async def handler(ws: "websockets.asyncio.server.ServerConnection") -> None:
        await ws.send(CALL)
        await ws.recv()
        await ws.close(1000, "bye")

    async with serve(
        handler,
        "127.0.0.1",
        0,
        compression=compression,
        ping_interval=None,
        server_header="recorder",
        **server_options,  # type: ignore[arg-type]
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        config = StationConfig(
            url=f"ws://127.0.0.1:{port}/ocpp",
            identity=IDENTITY,
            versions=("2.0.1", "1.6"),
            password=PASSWORD,
            permessage_deflate=compression is not None,
            key_factory=lambda: KEY,
        )
        client = WsClient(config, now=0.0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = client.data_to_send()
        c2s.append(request)
        writer.write(request)
        while True:
            data = await reader.read(65536)
            if data:
                s2c.append(data)
            client.receive_data(data, 0.0)
            for event in client.events():
                if isinstance(event, ev.TextMessage) and event.text == CALL:
                    client.send_text(RESULT)
            out = client.data_to_send()
            if out:
                c2s.append(out)
                writer.write(out)
            if not data:
                break
        writer.close()
    meta = {
        "client": "ocpp_core.ws.WsClient",
        "server": f"websockets {websockets.__version__}",
        "url_path": "/ocpp",
        "port": port,
        "versions": ["2.0.1", "1.6"],
        "identity": IDENTITY,
        "password": PASSWORD,
        "key_base64": base64.b64encode(KEY).decode("ascii"),
        "compression": compression,
        "server_options": {k: repr(v) for k, v in server_options.items()},
    }
    save(name, meta, c2s, s2c)


def reject_401(connection: object, request: object) -> object:
    return connection.respond(401, "bad credentials\n")  # type: ignore[attr-defined]


async def main() -> None:
    await client_to_our_server("websockets_client_deflate", "deflate")
    await client_to_our_server("websockets_client_plain", None)
    await our_client_to_server("websockets_server_deflate", "deflate", subprotocols=["ocpp2.0.1"])
    await our_client_to_server("websockets_server_plain", None, subprotocols=["ocpp2.0.1"])
    await our_client_to_server(
        "websockets_server_reject401", None, subprotocols=["ocpp2.0.1"], process_request=reject_401
    )
    await our_client_to_server("websockets_server_no_common", None, subprotocols=["ocpp2.1"])


if __name__ == "__main__":
    asyncio.run(main())
