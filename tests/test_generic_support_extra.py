"""Hypothesis strategies for the operations of ocpp_core.generic.model_extra (no tests).

Used through `test_generic_support.requests` / `responses`, which fall back to these.
"""

from typing import Any

from hypothesis import strategies as st
from test_generic_support import (
    enum,
    id_token,
    id_token_info,
    ints,
    is_16,
    naturals,
    opt,
    status_info,
    text,
    timestamps,
)

import ocpp_core.generic as G
from ocpp_core.generic.v16_diagnostics import DIAGNOSTICS_STATUS_TO_16
from ocpp_core.versions import V21


def requests(v: str, operation: str) -> "st.SearchStrategy[Any]":
    v16, v21 = is_16(v), v == V21
    if operation == "SecurityEventNotification":
        return st.builds(
            G.SecurityEventNotificationRequest,
            type=text(50),
            timestamp=timestamps,
            tech_info=opt(text(255)),
        )
    if operation == "LogStatusNotification":
        whitepaper = st.builds(
            G.LogStatusNotificationRequest,
            status=enum(v, "LogStatusNotificationRequest", "status"),
            request_id=opt(naturals),
            status_info=status_info(v) if v21 else st.none(),
        )
        if not v16:
            return whitepaper
        diagnostics = st.builds(  # 1.6 DiagnosticsStatusNotification, statuses in 2.x spelling
            G.LogStatusNotificationRequest,
            status=st.sampled_from(sorted(DIAGNOSTICS_STATUS_TO_16)),
            v16_diagnostics=st.just(True),
        )
        return whitepaper | diagnostics
    if operation == "SignCertificate":
        return st.builds(
            G.SignCertificateRequest,
            csr=text(5500),
            certificate_type=st.none()
            if v16
            else opt(enum(v, "SignCertificateRequest", "certificate_type")),
            request_id=opt(naturals) if v21 else st.none(),
        )
    if operation == "CertificateSigned":
        return st.builds(
            G.CertificateSignedRequest,
            certificate_chain=text(10000),
            certificate_type=st.none()
            if v16
            else opt(enum(v, "CertificateSignedRequest", "certificate_type")),
            request_id=opt(naturals) if v21 else st.none(),
        )
    if operation == "GetLog":
        log = st.builds(
            G.LogParameters,
            remote_location=text(512),
            oldest_timestamp=opt(timestamps),
            latest_timestamp=opt(timestamps),
        )
        whitepaper = st.builds(
            G.GetLogRequest,
            log=log,
            log_type=enum(v, "GetLogRequest", "log_type"),
            request_id=naturals,
            retries=opt(naturals),
            retry_interval=opt(naturals),
        )
        if not v16:
            return whitepaper
        diagnostics = st.builds(  # 1.6 GetDiagnostics: a URI, the diagnostics log, no id
            G.GetLogRequest,
            log=st.builds(
                G.LogParameters,
                remote_location=URIS,
                oldest_timestamp=opt(timestamps),
                latest_timestamp=opt(timestamps),
            ),
            log_type=st.just("DiagnosticsLog"),
            retries=opt(ints),
            retry_interval=opt(ints),
            v16_diagnostics=st.just(True),
        )
        return whitepaper | diagnostics
    if operation == "ReserveNow":
        if v16:
            return st.builds(
                G.ReserveNowRequest,
                id=naturals,
                expiry_date_time=timestamps,
                id_token=id_token(v),
                evse_id=opt(st.integers(1, 50)),
                group_id_token=opt(id_token(v)),
            )
        connector = text(20) if v21 else enum(v, "ReserveNowRequest", "connector_type")
        return st.builds(
            G.ReserveNowRequest,
            id=naturals,
            expiry_date_time=timestamps,
            id_token=id_token(v),
            evse_id=opt(naturals),
            group_id_token=opt(id_token(v)),
            connector_type=opt(connector),
        )
    if operation == "CancelReservation":
        return st.builds(G.CancelReservationRequest, reservation_id=naturals)
    if operation == "GetLocalListVersion":
        return st.just(G.GetLocalListVersionRequest())
    if operation == "SendLocalList":
        entry = st.builds(
            G.AuthorizationData, id_token=id_token(v), id_token_info=opt(id_token_info(v))
        )
        return st.builds(
            G.SendLocalListRequest,
            version_number=naturals,
            update_type=enum(v, "SendLocalListRequest", "update_type"),
            local_authorization_list=opt(st.lists(entry, min_size=0 if v16 else 1, max_size=3)),
        )
    if operation == "InstallCertificate":
        kinds = (
            st.sampled_from(["CSMSRootCertificate", "ManufacturerRootCertificate"])
            if v16
            else enum(v, "InstallCertificateRequest", "certificate_type")
        )
        return st.builds(
            G.InstallCertificateRequest, certificate_type=kinds, certificate=text(5500)
        )
    if operation == "DeleteCertificate":
        return st.builds(G.DeleteCertificateRequest, certificate_hash_data=hash_data(v))
    if operation == "GetInstalledCertificateIds":
        if v16:
            one = st.sampled_from(["CSMSRootCertificate", "ManufacturerRootCertificate"])
            return st.builds(
                G.GetInstalledCertificateIdsRequest,
                certificate_type=st.lists(one, min_size=1, max_size=1),
            )
        kinds = enum(v, "GetInstalledCertificateIdsRequest", "certificate_type")
        return st.builds(
            G.GetInstalledCertificateIdsRequest,
            certificate_type=opt(st.lists(kinds, min_size=1, max_size=3)),
        )
    if operation == "ClearChargingProfile":
        return clear_charging_profile(v)
    if operation == "UpdateFirmware":
        return update_firmware(v)
    if operation == "FirmwareStatusNotification":
        if v16:
            plain = st.builds(
                G.FirmwareStatusNotificationRequest,
                status=enum(v, "FirmwareStatusNotificationRequest", "status"),
            )
            signed_status = enum(v, "SignedFirmwareStatusNotificationRequest", "status")
            signed = st.builds(
                G.FirmwareStatusNotificationRequest, status=signed_status, request_id=naturals
            )
            idle = st.builds(
                G.FirmwareStatusNotificationRequest, status=signed_status, v16_signed=st.just(True)
            )
            return plain | signed | idle
        return st.builds(
            G.FirmwareStatusNotificationRequest,
            status=enum(v, "FirmwareStatusNotificationRequest", "status"),
            request_id=opt(naturals),
            status_info=status_info(v) if v21 else st.none(),
        )
    raise AssertionError(operation)


def clear_charging_profile(v: str) -> "st.SearchStrategy[Any]":
    if is_16(v):
        purposes = enum(v, "ClearChargingProfileRequest", "charging_profile_purpose").map(
            lambda p: "ChargingStationMaxProfile" if p == "ChargePointMaxProfile" else p
        )
        evse_ids = st.integers(0, 50)
    else:
        purposes = enum(v, "ClearChargingProfile", "charging_profile_purpose")
        evse_ids = naturals
    criteria = st.builds(
        G.ClearChargingProfileCriteria,
        evse_id=opt(evse_ids),
        charging_profile_purpose=opt(purposes),
        stack_level=opt(naturals),
    )
    if is_16(v):  # 1.6 has the criteria flat: "all absent" is no criteria at all
        criteria = criteria.filter(lambda c: c != G.ClearChargingProfileCriteria())
    return st.builds(
        G.ClearChargingProfileRequest,
        charging_profile_id=opt(naturals),
        charging_profile_criteria=opt(criteria),
    )


URIS = st.sampled_from(["ftp://fw.example.com/image.bin", "https://fw.example.org/v/1.2?x=y"])


def update_firmware(v: str) -> "st.SearchStrategy[Any]":
    signed = st.builds(
        G.Firmware,
        location=text(512),
        retrieve_date_time=timestamps,
        install_date_time=opt(timestamps),
        signing_certificate=text(5500),
        signature=text(800),
    )
    if is_16(v):
        plain = st.builds(G.Firmware, location=URIS, retrieve_date_time=timestamps)
        return st.builds(
            G.UpdateFirmwareRequest,
            firmware=signed,
            request_id=naturals,
            retries=opt(naturals),
            retry_interval=opt(naturals),
        ) | st.builds(
            G.UpdateFirmwareRequest,
            firmware=plain,
            retries=opt(naturals),
            retry_interval=opt(naturals),
        )
    firmware = st.builds(
        G.Firmware,
        location=text(512),
        retrieve_date_time=timestamps,
        install_date_time=opt(timestamps),
        signing_certificate=opt(text(5500)),
        signature=opt(text(800)),
    )
    return st.builds(
        G.UpdateFirmwareRequest,
        firmware=firmware,
        request_id=naturals,
        retries=opt(naturals),
        retry_interval=opt(naturals),
    )


def hash_data(v: str) -> "st.SearchStrategy[G.CertificateHashData]":
    return st.builds(
        G.CertificateHashData,
        hash_algorithm=enum(v, "CertificateHashData", "hash_algorithm"),
        issuer_name_hash=text(128),
        issuer_key_hash=text(128),
        serial_number=text(40),
    )


def _chains(v: str, request: Any) -> "st.SearchStrategy[Any]":
    if is_16(v):
        kind = request.certificate_type[0]
        chain = st.builds(
            G.CertificateHashDataChain,
            certificate_type=st.just(kind),
            certificate_hash_data=hash_data(v),
        )
    else:
        chain = st.builds(
            G.CertificateHashDataChain,
            certificate_type=enum(v, "CertificateHashDataChain", "certificate_type"),
            certificate_hash_data=hash_data(v),
            child_certificate_hash_data=opt(st.lists(hash_data(v), min_size=1, max_size=4)),
        )
    return opt(st.lists(chain, min_size=1, max_size=3))


def _status(v: str, generic: type, native: str) -> "st.SearchStrategy[Any]":
    return st.builds(generic, status=enum(v, native, "status"), status_info=status_info(v))


def responses(v: str, operation: str, request: Any) -> "st.SearchStrategy[Any]":
    if operation == "SecurityEventNotification":
        return st.just(G.SecurityEventNotificationResponse())
    if operation == "LogStatusNotification":
        return st.just(G.LogStatusNotificationResponse())
    if operation == "GetLog":
        if is_16(v) and request.v16_diagnostics:  # GetDiagnostics.conf: a file name only
            return st.builds(G.GetLogResponse, filename=opt(text(255)))
        return st.builds(
            G.GetLogResponse,
            status=enum(v, "GetLogResponse", "status"),
            filename=opt(text(255)),
            status_info=status_info(v),
        )
    if operation == "GetLocalListVersion":
        return st.builds(G.GetLocalListVersionResponse, version_number=naturals)
    if operation == "GetInstalledCertificateIds":
        return st.builds(
            G.GetInstalledCertificateIdsResponse,
            status=enum(v, "GetInstalledCertificateIdsResponse", "status"),
            certificate_hash_data_chain=_chains(v, request),
            status_info=status_info(v),
        )
    if operation == "FirmwareStatusNotification":
        return st.just(G.FirmwareStatusNotificationResponse())
    if operation == "UpdateFirmware":
        if is_16(v) and request.firmware.signature is None:
            return st.just(G.UpdateFirmwareResponse())  # plain 1.6: no status
        native = "SignedUpdateFirmwareResponse" if is_16(v) else "UpdateFirmwareResponse"
        return st.builds(
            G.UpdateFirmwareResponse, status=enum(v, native, "status"), status_info=status_info(v)
        )
    natives = {
        "ClearChargingProfile": (G.ClearChargingProfileResponse, "ClearChargingProfileResponse"),
        "InstallCertificate": (G.InstallCertificateResponse, "InstallCertificateResponse"),
        "DeleteCertificate": (G.DeleteCertificateResponse, "DeleteCertificateResponse"),
        "SignCertificate": (G.SignCertificateResponse, "SignCertificateResponse"),
        "CertificateSigned": (G.CertificateSignedResponse, "CertificateSignedResponse"),
        "ReserveNow": (G.ReserveNowResponse, "ReserveNowResponse"),
        "CancelReservation": (G.CancelReservationResponse, "CancelReservationResponse"),
        "SendLocalList": (G.SendLocalListResponse, "SendLocalListResponse"),
    }
    generic, native = natives[operation]
    return _status(v, generic, native)
