"""Typed requests and responses per version, for the shared binding suite."""

import datetime

from ocpp_core.handlers import messages_of

NOW = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)


def boot_request(version):
    m = messages_of(version)
    if version == "1.6":
        return m.BootNotificationRequest(charge_point_model="M1", charge_point_vendor="V1")
    station = m.ChargingStation(model="M1", vendor_name="V1")
    return m.BootNotificationRequest(charging_station=station, reason="PowerUp")


def boot_response(version, interval=300, status="Accepted"):
    return messages_of(version).BootNotificationResponse(
        current_time=NOW, interval=interval, status=status
    )


def heartbeat_request(version):
    return messages_of(version).HeartbeatRequest()


def heartbeat_response(version):
    return messages_of(version).HeartbeatResponse(current_time=NOW)


def data_transfer(version, data="x"):
    return messages_of(version).DataTransferRequest(vendor_id="org.example", data=data)


def data_transfer_response(version, data="ok"):
    return messages_of(version).DataTransferResponse(status="Accepted", data=data)


def remote_start(version):
    m = messages_of(version)
    if version == "1.6":
        return m.RemoteStartTransactionRequest(id_tag="TAG1", connector_id=1)
    return m.RequestStartTransactionRequest(
        id_token=m.IdToken(id_token="TAG1", type_="ISO14443"), remote_start_id=7, evse_id=1
    )


def remote_start_response(version):
    m = messages_of(version)
    if version == "1.6":
        return m.RemoteStartTransactionResponse(status="Accepted")
    return m.RequestStartTransactionResponse(status="Accepted")
