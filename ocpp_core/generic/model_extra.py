"""Generic messages beyond the core charging flow: security events, logs, certificate
signing, reservations and the local authorization list (CPython only).

Same conventions as ocpp_core.generic.model (None = absent, `native` = the typed message
it came from, enum values as plain wire strings, comments name the versions of a field).
"""

import datetime

from ocpp_core.generic.model import GenericStruct, IdToken, IdTokenInfo, Native, StatusInfo

# --------------------------------------------------------------------------------
# Station -> CSMS


class SecurityEventNotificationRequest(GenericStruct, frozen=True):
    type: str
    timestamp: datetime.datetime
    tech_info: str | None = None
    native: Native = None


class SecurityEventNotificationResponse(GenericStruct, frozen=True):
    native: Native = None


class LogStatusNotificationRequest(GenericStruct, frozen=True):
    """1.6 DiagnosticsStatusNotification when `v16_diagnostics` is True (UploadFailed is
    UploadFailure here; it has no requestId and fewer statuses)."""

    status: str
    request_id: int | None = None
    status_info: StatusInfo | None = None  # 2.1 only
    v16_diagnostics: bool | None = None  # 1.6 only: send as DiagnosticsStatusNotification
    native: Native = None


class LogStatusNotificationResponse(GenericStruct, frozen=True):
    native: Native = None


class SignCertificateRequest(GenericStruct, frozen=True):
    """2.1 hashRootCertificate is reachable through `native` only so far."""

    csr: str
    certificate_type: str | None = None  # 2.x only
    request_id: int | None = None  # 2.1 only
    native: Native = None


class SignCertificateResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


# --------------------------------------------------------------------------------
# CSMS -> station


class CertificateSignedRequest(GenericStruct, frozen=True):
    certificate_chain: str
    certificate_type: str | None = None  # 2.x only
    request_id: int | None = None  # 2.1 only
    native: Native = None


class CertificateSignedResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class LogParameters(GenericStruct, frozen=True):
    remote_location: str
    oldest_timestamp: datetime.datetime | None = None
    latest_timestamp: datetime.datetime | None = None


class GetLogRequest(GenericStruct, frozen=True):
    """1.6 GetDiagnostics when `v16_diagnostics` is True (DiagnosticsLog only; location,
    startTime, stopTime = `log`; no requestId)."""

    log: LogParameters
    log_type: str
    request_id: int | None = None  # required by 2.x and 1.6 GetLog; GetDiagnostics has none
    retries: int | None = None
    retry_interval: int | None = None
    v16_diagnostics: bool | None = None  # 1.6 only: send as GetDiagnostics
    native: Native = None


class GetLogResponse(GenericStruct, frozen=True):
    """The answer to 1.6 GetDiagnostics has a file name only: `status` None."""

    status: str | None = None  # required by 2.x and 1.6 GetLog
    filename: str | None = None
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class ReserveNowRequest(GenericStruct, frozen=True):
    """`evse_id` None = any EVSE (1.6 connectorId 0). 1.6 parentIdTag is
    `group_id_token.id_token`."""

    id: int
    expiry_date_time: datetime.datetime
    id_token: IdToken
    evse_id: int | None = None
    group_id_token: IdToken | None = None
    connector_type: str | None = None  # 2.x only
    native: Native = None


class ReserveNowResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class CancelReservationRequest(GenericStruct, frozen=True):
    reservation_id: int
    native: Native = None


class CancelReservationResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class GetLocalListVersionRequest(GenericStruct, frozen=True):
    native: Native = None


class GetLocalListVersionResponse(GenericStruct, frozen=True):
    version_number: int  # 1.6 listVersion
    native: Native = None


class AuthorizationData(GenericStruct, frozen=True):
    id_token: IdToken
    id_token_info: IdTokenInfo | None = None


class SendLocalListRequest(GenericStruct, frozen=True):
    """1.6 listVersion is `version_number`; an empty list exists in 1.6 only."""

    version_number: int
    update_type: str
    local_authorization_list: list[AuthorizationData] | None = None
    native: Native = None


class SendLocalListResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


# --------------------------------------------------------------------------------
# Certificates (CSMS -> station). Certificate types use the 2.x spelling; 1.6
# CentralSystemRootCertificate is CSMSRootCertificate here.


class CertificateHashData(GenericStruct, frozen=True):
    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str


class CertificateHashDataChain(GenericStruct, frozen=True):
    """2.x; a 1.6 answer is one chain entry per hash, of the requested type."""

    certificate_type: str
    certificate_hash_data: CertificateHashData
    child_certificate_hash_data: list[CertificateHashData] | None = None  # 2.x only


class InstallCertificateRequest(GenericStruct, frozen=True):
    certificate_type: str
    certificate: str
    native: Native = None


class InstallCertificateResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class DeleteCertificateRequest(GenericStruct, frozen=True):
    certificate_hash_data: CertificateHashData
    native: Native = None


class DeleteCertificateResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class GetInstalledCertificateIdsRequest(GenericStruct, frozen=True):
    """1.6 asks for exactly one type; 2.x for several, or all (None)."""

    certificate_type: list[str] | None = None
    native: Native = None


class GetInstalledCertificateIdsResponse(GenericStruct, frozen=True):
    status: str
    certificate_hash_data_chain: list[CertificateHashDataChain] | None = None
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


# --------------------------------------------------------------------------------
# Firmware. 2.x shapes; 1.6 carries them as SignedUpdateFirmware /
# SignedFirmwareStatusNotification (security whitepaper) or, for unsigned firmware,
# the plain UpdateFirmware / FirmwareStatusNotification.


class Firmware(GenericStruct, frozen=True):
    location: str
    retrieve_date_time: datetime.datetime
    install_date_time: datetime.datetime | None = None
    signing_certificate: str | None = None  # with `signature`: 1.6 SignedUpdateFirmware
    signature: str | None = None


class UpdateFirmwareRequest(GenericStruct, frozen=True):
    firmware: Firmware
    request_id: int | None = None  # required by 2.x and 1.6 SignedUpdateFirmware
    retries: int | None = None
    retry_interval: int | None = None
    native: Native = None


class UpdateFirmwareResponse(GenericStruct, frozen=True):
    status: str | None = None  # None: the answer to a plain 1.6 UpdateFirmware (no status)
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class FirmwareStatusNotificationRequest(GenericStruct, frozen=True):
    status: str
    request_id: int | None = None
    status_info: StatusInfo | None = None  # 2.1 only
    v16_signed: bool | None = None  # 1.6 only: Signed... without requestId (else by request_id)
    native: Native = None


class FirmwareStatusNotificationResponse(GenericStruct, frozen=True):
    native: Native = None


# --------------------------------------------------------------------------------
# Clearing charging profiles (the profile types: model_profiles, generated)


class ClearChargingProfileCriteria(GenericStruct, frozen=True):
    """2.x ClearChargingProfileType; 1.6 has the same three fields at top level
    (connectorId through the ConnectorLayout). Purposes use the 2.x spelling: 1.6
    ChargePointMaxProfile is ChargingStationMaxProfile here."""

    evse_id: int | None = None
    charging_profile_purpose: str | None = None
    stack_level: int | None = None


class ClearChargingProfileRequest(GenericStruct, frozen=True):
    charging_profile_id: int | None = None  # 1.6 id
    charging_profile_criteria: ClearChargingProfileCriteria | None = None
    native: Native = None


class ClearChargingProfileResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None
