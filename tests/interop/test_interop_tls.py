"""Security profiles 2 (TLS + Basic auth) and 3 (mutual TLS) with certificates made
here by trustme: ocpp_asyncio against itself, against a `websockets` / mobilityhouse
station, and our station against a `websockets` server. A wrong password and a client
certificate from another CA are refused."""

import asyncio
import base64
import ssl

import ocpp_asyncio
import pytest
import trustme
import websockets
from ocpp.v201 import ChargePoint as TheirChargePoint
from ocpp.v201 import call as their_call
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import serve as ws_serve

from ocpp_core.v201 import messages as m
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.interop import flows

pytestmark = pytest.mark.timeout(30)

PASSWORD = "s3cret-password-0001"  # 2.x: 16..40 characters


@pytest.fixture(scope="module")
def pki():
    ca = trustme.CA()
    return {
        "ca": ca,
        "server": ca.issue_cert("127.0.0.1", "localhost"),
        "cp1": ca.issue_cert("cp1.stations.example", common_name="CP1"),
        "cp2": ca.issue_cert("cp2.stations.example", common_name="CP2"),
        # Same name, but signed by a CA the CSMS does not trust.
        "rogue": trustme.CA().issue_cert("cp1.stations.example", common_name="CP1"),
    }


def server_context(pki, mutual):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    pki["server"].configure_cert(context)
    if mutual:
        context.verify_mode = ssl.CERT_REQUIRED
        pki["ca"].configure_trust(context)
    return context


def client_context(pki, cert=None):
    context = ssl.create_default_context()
    pki["ca"].configure_trust(context)
    if cert is not None:
        pki[cert].configure_cert(context)
    return context


def common_name(peercert):
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def boot_router():
    router = ocpp_asyncio.Router()
    boot = flows.ours("2.0.1", "response", *flows.station_flow("2.0.1")[0][::2])
    router.add(m.BootNotificationRequest, lambda conn, request: boot)
    return router


def boot_request():
    return flows.ours("2.0.1", "request", *flows.station_flow("2.0.1")[0][:2])


class Gate:
    """on_connect for both profiles: profile 2 checks the Basic-auth password, profile 3
    that the verified certificate names the station."""

    def __init__(self, profile):
        self.profile = profile
        self.seen = []

    def __call__(self, conn):
        request = conn.request
        self.seen.append(request.identity)
        if self.profile == 2:
            if request.username != request.identity or request.password != PASSWORD:
                return ocpp_asyncio.Reject(401)
        elif common_name(conn.peercert or {}) != request.identity:
            return ocpp_asyncio.Reject(403)
        return ocpp_asyncio.Accept()


async def our_csms(pki, profile):
    gate = Gate(profile)
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
    server = await ocpp_asyncio.serve(
        config,
        router=boot_router(),
        on_connect=gate,
        ssl=server_context(pki, mutual=profile == 3),
    )
    return server, gate


def test_profile_2_our_station_and_our_csms(pki):
    async def scenario():
        server, gate = await our_csms(pki, 2)
        async with server:
            url = f"wss://localhost:{server.port}/ocpp"
            good = StationConfig(url=url, identity="CP1", password=PASSWORD)
            conn = await ocpp_asyncio.connect(good, ssl=client_context(pki))
            boot = await conn.call(boot_request())
            assert conn.core.ws.state == "open"
            await conn.close()
            bad = StationConfig(url=url, identity="CP1", password="not-the-password-01")
            with pytest.raises(ocpp_asyncio.HandshakeError) as caught:
                await ocpp_asyncio.connect(bad, ssl=client_context(pki))
            # A station that does not trust the CSMS's certificate never talks to it.
            with pytest.raises(ssl.SSLCertVerificationError):
                await ocpp_asyncio.connect(good, ssl=ssl.create_default_context())
        return boot, caught.value, gate.seen

    boot, refused, seen = asyncio.run(scenario())
    assert boot.status == "Accepted"
    assert refused.status_code == 401
    assert seen == ["CP1", "CP1"]


def test_profile_2_their_station_against_our_csms(pki):
    def basic(password):
        token = base64.b64encode(f"THEIRS:{password}".encode()).decode()
        return {"Authorization": "Basic " + token}

    async def scenario():
        server, gate = await our_csms(pki, 2)
        async with server:
            url = f"wss://localhost:{server.port}/ocpp/THEIRS"
            async with ws_connect(
                url,
                subprotocols=["ocpp2.0.1"],
                ssl=client_context(pki),
                additional_headers=basic(PASSWORD),
            ) as ws:
                station = TheirChargePoint("THEIRS", ws)
                task = asyncio.ensure_future(station.start())
                action, request, _ = flows.station_flow("2.0.1")[0]
                result = await station.call(
                    flows.theirs(their_call, action, request), suppress=False
                )
                task.cancel()
            with pytest.raises(websockets.InvalidStatus) as caught:
                async with ws_connect(
                    url,
                    subprotocols=["ocpp2.0.1"],
                    ssl=client_context(pki),
                    additional_headers=basic("wrong-password-0001"),
                ):
                    pass
        return result, caught.value.response.status_code, gate.seen

    result, status, seen = asyncio.run(scenario())
    assert result.status == "Accepted"
    assert status == 401
    assert seen == ["THEIRS", "THEIRS"]


def test_profile_3_mutual_tls_our_station_and_our_csms(pki):
    async def scenario():
        server, gate = await our_csms(pki, 3)
        async with server:
            url = f"wss://localhost:{server.port}/ocpp"
            config = StationConfig(url=url, identity="CP1")
            conn = await ocpp_asyncio.connect(config, ssl=client_context(pki, "cp1"))
            boot = await conn.call(boot_request())
            at_csms = await server.wait_for_station("CP1", 5)
            cn = common_name(at_csms.peercert)
            await conn.close()
            # A certificate from a CA the CSMS does not trust: refused in the TLS
            # handshake, before any HTTP (on_connect never sees it).
            with pytest.raises(OSError):
                await ocpp_asyncio.connect(config, ssl=client_context(pki, "rogue"))
            # No certificate at all.
            with pytest.raises(OSError):
                await ocpp_asyncio.connect(config, ssl=client_context(pki))
            # A trusted certificate of another station: refused by on_connect.
            with pytest.raises(ocpp_asyncio.HandshakeError) as caught:
                await ocpp_asyncio.connect(config, ssl=client_context(pki, "cp2"))
        return boot, cn, caught.value.status_code, gate.seen

    boot, cn, status, seen = asyncio.run(scenario())
    assert boot.status == "Accepted" and cn == "CP1"
    assert status == 403
    assert seen == ["CP1", "CP1"]


def test_profile_3_their_client_against_our_csms(pki):
    async def scenario():
        server, gate = await our_csms(pki, 3)
        async with server:
            url = f"wss://localhost:{server.port}/ocpp/CP1"
            async with ws_connect(
                url, subprotocols=["ocpp2.0.1"], ssl=client_context(pki, "cp1")
            ) as ws:
                station = TheirChargePoint("CP1", ws)
                task = asyncio.ensure_future(station.start())
                action, request, _ = flows.station_flow("2.0.1")[0]
                result = await station.call(
                    flows.theirs(their_call, action, request), suppress=False
                )
                task.cancel()
            with pytest.raises((OSError, websockets.exceptions.InvalidMessage)):
                async with ws_connect(
                    url, subprotocols=["ocpp2.0.1"], ssl=client_context(pki, "rogue")
                ) as ws:
                    await ws.recv()
        return result, gate.seen

    result, seen = asyncio.run(scenario())
    assert result.status == "Accepted"
    assert seen == ["CP1"]


def test_profile_3_our_station_against_a_websockets_csms(pki):
    """Our client certificate, verified by another TLS stack's server."""

    async def scenario():
        peer = {}

        async def handler(ws):
            cert = ws.transport.get_extra_info("peercert")
            peer["cn"] = common_name(cert)
            message = await ws.recv()
            peer["frame"] = message
            await ws.close(1000, "seen")

        context = server_context(pki, mutual=True)
        async with ws_serve(
            handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"], ssl=context
        ) as ws_server:
            port = next(iter(ws_server.sockets)).getsockname()[1]
            config = StationConfig(url=f"wss://localhost:{port}/ocpp", identity="CP1")
            conn = await ocpp_asyncio.connect(config, ssl=client_context(pki, "cp1"))
            with pytest.raises(ocpp_asyncio.ConnectionClosedError):
                await conn.call(boot_request(), timeout=5)
            closed = await conn.wait_closed()
            with pytest.raises(OSError):
                await ocpp_asyncio.connect(config, ssl=client_context(pki, "rogue"))
        return peer, closed

    peer, closed = asyncio.run(scenario())
    assert peer["cn"] == "CP1"
    assert '"BootNotification"' in peer["frame"]
    assert (closed.code, closed.reason) == (1000, "seen")
