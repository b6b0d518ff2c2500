"""Who may send each action, per OCPP version (written by hand: the schemas do not say).

Values: "station" (charging station / charge point initiates), "csms" (CSMS / central
system initiates), "both".  The generator fails if a schema file has no entry here, and
if an entry here has no schema file.

Sources:
- OCPP 1.6 (edition 2, OCA 2017), §4 "Operations Initiated by Charge Point" and §5
  "Operations Initiated by Central System"; DataTransfer appears in both sections.
- OCPP 1.6 Security Whitepaper (edition 3, OCA 2020), §4 "Messages" per use case
  (certificate management, security events, secure firmware update, logging): which
  side sends each .req.  The 1.6 security messages travel as ordinary 1.6 CALLs.
- OCPP 2.0.1 Part 2 "Specification" (OCA 2020), §"Messages": each message's
  "sent by" in the use-case sequence diagrams; DataTransfer (P01/P02) goes both ways.
- OCPP 2.1 Edition 1 Part 2 (OCA 2025), same structure; the 2.1-only actions are listed
  separately below.  NotifyPeriodicEventStream is a SEND (RPC framework 2.1, message
  type 6) from the station, without a response.
"""

STATION = "station"
CSMS = "csms"
BOTH = "both"

V16 = {
    # OCPP 1.6 §4: Operations Initiated by Charge Point
    "Authorize": STATION,
    "BootNotification": STATION,
    "DiagnosticsStatusNotification": STATION,
    "FirmwareStatusNotification": STATION,
    "Heartbeat": STATION,
    "MeterValues": STATION,
    "StartTransaction": STATION,
    "StatusNotification": STATION,
    "StopTransaction": STATION,
    # §4.3 and §5.6: both sides may send DataTransfer
    "DataTransfer": BOTH,
    # OCPP 1.6 §5: Operations Initiated by Central System
    "CancelReservation": CSMS,
    "ChangeAvailability": CSMS,
    "ChangeConfiguration": CSMS,
    "ClearCache": CSMS,
    "ClearChargingProfile": CSMS,
    "GetCompositeSchedule": CSMS,
    "GetConfiguration": CSMS,
    "GetDiagnostics": CSMS,
    "GetLocalListVersion": CSMS,
    "RemoteStartTransaction": CSMS,
    "RemoteStopTransaction": CSMS,
    "ReserveNow": CSMS,
    "Reset": CSMS,
    "SendLocalList": CSMS,
    "SetChargingProfile": CSMS,
    "TriggerMessage": CSMS,
    "UnlockConnector": CSMS,
    "UpdateFirmware": CSMS,
    # OCPP 1.6 Security Whitepaper ed. 3: Central System -> Charge Point
    "CertificateSigned": CSMS,
    "DeleteCertificate": CSMS,
    "ExtendedTriggerMessage": CSMS,
    "GetInstalledCertificateIds": CSMS,
    "GetLog": CSMS,
    "InstallCertificate": CSMS,
    "SignedUpdateFirmware": CSMS,
    # OCPP 1.6 Security Whitepaper ed. 3: Charge Point -> Central System
    "LogStatusNotification": STATION,
    "SecurityEventNotification": STATION,
    "SignCertificate": STATION,
    "SignedFirmwareStatusNotification": STATION,
}

V201 = {
    # OCPP 2.0.1 Part 2: messages sent by the Charging Station
    "Authorize": STATION,
    "BootNotification": STATION,
    "ClearedChargingLimit": STATION,
    "FirmwareStatusNotification": STATION,
    "Get15118EVCertificate": STATION,
    "GetCertificateStatus": STATION,
    "Heartbeat": STATION,
    "LogStatusNotification": STATION,
    "MeterValues": STATION,
    "NotifyChargingLimit": STATION,
    "NotifyCustomerInformation": STATION,
    "NotifyDisplayMessages": STATION,
    "NotifyEVChargingNeeds": STATION,
    "NotifyEVChargingSchedule": STATION,
    "NotifyEvent": STATION,
    "NotifyMonitoringReport": STATION,
    "NotifyReport": STATION,
    "PublishFirmwareStatusNotification": STATION,
    "ReportChargingProfiles": STATION,
    "ReservationStatusUpdate": STATION,
    "SecurityEventNotification": STATION,
    "SignCertificate": STATION,
    "StatusNotification": STATION,
    "TransactionEvent": STATION,
    # P01 / P02: DataTransfer goes both ways
    "DataTransfer": BOTH,
    # OCPP 2.0.1 Part 2: messages sent by the CSMS
    "CancelReservation": CSMS,
    "CertificateSigned": CSMS,
    "ChangeAvailability": CSMS,
    "ClearCache": CSMS,
    "ClearChargingProfile": CSMS,
    "ClearDisplayMessage": CSMS,
    "ClearVariableMonitoring": CSMS,
    "CostUpdated": CSMS,
    "CustomerInformation": CSMS,
    "DeleteCertificate": CSMS,
    "GetBaseReport": CSMS,
    "GetChargingProfiles": CSMS,
    "GetCompositeSchedule": CSMS,
    "GetDisplayMessages": CSMS,
    "GetInstalledCertificateIds": CSMS,
    "GetLocalListVersion": CSMS,
    "GetLog": CSMS,
    "GetMonitoringReport": CSMS,
    "GetReport": CSMS,
    "GetTransactionStatus": CSMS,
    "GetVariables": CSMS,
    "InstallCertificate": CSMS,
    "PublishFirmware": CSMS,  # L03: CSMS -> Local Controller
    "RequestStartTransaction": CSMS,
    "RequestStopTransaction": CSMS,
    "ReserveNow": CSMS,
    "Reset": CSMS,
    "SendLocalList": CSMS,
    "SetChargingProfile": CSMS,
    "SetDisplayMessage": CSMS,
    "SetMonitoringBase": CSMS,
    "SetMonitoringLevel": CSMS,
    "SetNetworkProfile": CSMS,
    "SetVariableMonitoring": CSMS,
    "SetVariables": CSMS,
    "TriggerMessage": CSMS,
    "UnlockConnector": CSMS,
    "UnpublishFirmware": CSMS,  # L04: CSMS -> Local Controller
    "UpdateFirmware": CSMS,
}

# OCPP 2.1 keeps every 2.0.1 action with the same direction and adds the following
# (OCPP 2.1 Edition 1 Part 2, use-case blocks named in the comments).
_V21_NEW = {
    # R: DER control
    "ClearDERControl": CSMS,
    "GetDERControl": CSMS,
    "SetDERControl": CSMS,
    "NotifyDERAlarm": STATION,
    "NotifyDERStartStop": STATION,
    "ReportDERControl": STATION,
    # K: smart charging -- aFRR, dynamic schedules, priority charging
    "AFRRSignal": CSMS,
    "UpdateDynamicSchedule": CSMS,
    "PullDynamicScheduleUpdate": STATION,
    "UsePriorityCharging": CSMS,
    "NotifyPriorityCharging": STATION,
    # Q / V2X: allowed energy transfer after NotifyEVChargingNeeds
    "NotifyAllowedEnergyTransfer": CSMS,
    # J: periodic event streams
    "OpenPeriodicEventStream": STATION,
    "ClosePeriodicEventStream": STATION,
    "NotifyPeriodicEventStream": STATION,  # SEND (message type 6), no response
    "AdjustPeriodicEventStream": CSMS,
    "GetPeriodicEventStream": CSMS,
    # I: tariffs and cost
    "ChangeTransactionTariff": CSMS,
    "ClearTariffs": CSMS,
    "GetTariffs": CSMS,
    "SetDefaultTariff": CSMS,
    # C: payment (ad hoc / web payment / settlement / VAT number)
    "NotifySettlement": STATION,
    "NotifyWebPaymentStarted": CSMS,
    "VatNumberValidation": STATION,
    # A/M: certificate chain status
    "GetCertificateChainStatus": STATION,
    # battery swap
    "BatterySwap": STATION,
    "RequestBatterySwap": CSMS,
}

V21 = dict(V201)
V21.update(_V21_NEW)

# 2.1 SEND messages (no response).
SEND_ACTIONS = {"1.6": [], "2.0.1": [], "2.1": ["NotifyPeriodicEventStream"]}

BY_VERSION = {"1.6": V16, "2.0.1": V201, "2.1": V21}
