"""1.6 GetDiagnostics / DiagnosticsStatusNotification as carriers of GetLog /
LogStatusNotification, and the default table of 1.6 configuration keys (OCA names).

The hypothesis round trips of both carriers are in test_generic_roundtrip.py and
test_generic_native.py (strategies in test_generic_support_extra.py); here: the rule that
chooses the carrier, each field, the refusals, and the key table.
"""

import datetime
import re
from typing import Any

import msgspec
import pytest

import ocpp_core.generic as G
from ocpp_core.codec import Codec
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
from ocpp_core.versions import V16, V21, V201

T0 = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.timezone.utc)
T1 = T0 + datetime.timedelta(hours=2)
LOG = G.LogParameters(
    remote_location="ftp://logs.example.org/cp1", oldest_timestamp=T0, latest_timestamp=T1
)


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, native=None)


def through_the_wire(version: str, native: Any) -> Any:
    """native -> CALL text (schema-checked by the Codec) -> native."""
    codec = Codec(version)
    frame = codec.decode_frame(codec.encode_call("1", native))
    return codec.decode_request(frame.action, frame.payload).message


# ----------------------------------------------------------------- GetLog


def test_get_log_goes_to_1_6_get_log_unless_the_flag_says_get_diagnostics() -> None:
    mapper = G.mapper_for(V16)
    whitepaper = G.GetLogRequest(log=LOG, log_type="SecurityLog", request_id=7, retries=2)
    assert mapper.action_for(whitepaper) == "GetLog"
    assert type(mapper.request_to_native(whitepaper)) is m16.GetLogRequest

    diagnostics = G.GetLogRequest(
        log=LOG, log_type="DiagnosticsLog", retries=2, retry_interval=30, v16_diagnostics=True
    )
    assert mapper.action_for(diagnostics) == "GetDiagnostics"
    native = through_the_wire(V16, mapper.request_to_native(diagnostics))
    assert native == m16.GetDiagnosticsRequest(
        location="ftp://logs.example.org/cp1",
        start_time=T0,
        stop_time=T1,
        retries=2,
        retry_interval=30,
    )
    received = G.mapper_for(V16).request_from_native(native)
    assert received.native is native
    assert plain(received) == diagnostics  # request_id None, log_type DiagnosticsLog, flag


def test_get_diagnostics_ignores_the_request_id_and_refuses_other_logs() -> None:
    mapper = G.mapper_for(V16)
    with_id = G.GetLogRequest(
        log=LOG, log_type="DiagnosticsLog", request_id=9, v16_diagnostics=True
    )
    native = mapper.request_to_native(with_id)
    assert msgspec.to_builtins(native) == {
        "location": LOG.remote_location,
        "startTime": "2026-12-01T08:00:00Z",
        "stopTime": "2026-12-01T10:00:00Z",
    }
    security = msgspec.structs.replace(with_id, log_type="SecurityLog")
    with pytest.raises(G.NotRepresentable) as caught:
        mapper.request_to_native(security)
    assert (caught.value.operation, caught.value.field) == ("GetLog", "log_type")


@pytest.mark.parametrize("version", [V16, V201, V21])
def test_get_log_without_request_id_is_refused_where_it_is_required(version: str) -> None:
    request = G.GetLogRequest(log=LOG, log_type="DiagnosticsLog")
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(version).request_to_native(request)
    assert (caught.value.version, caught.value.field) == (version, "request_id")


def test_a_get_diagnostics_forwarded_to_2x_needs_a_request_id() -> None:
    """What came in as GetDiagnostics reaches a 2.x station once the CSMS gives it an id;
    the flag is a 1.6 detail, ignored there."""
    received = G.mapper_for(V16).request_from_native(
        m16.GetDiagnosticsRequest(location="ftp://logs.example.org/")
    )
    assert isinstance(received, G.GetLogRequest)
    with pytest.raises(G.NotRepresentable, match="request_id"):
        G.mapper_for(V201).request_to_native(received)
    forwarded = G.mapper_for(V201).request_to_native(
        msgspec.structs.replace(received, request_id=4)
    )
    assert forwarded == m201.GetLogRequest(
        log=m201.LogParameters(remote_location="ftp://logs.example.org/"),
        log_type="DiagnosticsLog",
        request_id=4,
    )


def test_get_diagnostics_answer_has_a_file_name_and_no_status() -> None:
    mapper = G.mapper_for(V16)
    request = mapper.request_from_native(m16.GetDiagnosticsRequest(location="ftp://x.org/"))
    answer = mapper.response_from_native(request, m16.GetDiagnosticsResponse(file_name="d.zip"))
    assert plain(answer) == G.GetLogResponse(status=None, filename="d.zip")
    nothing = mapper.response_from_native(request, m16.GetDiagnosticsResponse())
    assert plain(nothing) == G.GetLogResponse()
    # A station's generic answer: an acceptance keeps its file name, the status has no place.
    for status in (None, "Accepted", "AcceptedCanceled"):
        native = mapper.response_to_native(request, G.GetLogResponse(status=status, filename="f"))
        assert native == m16.GetDiagnosticsResponse(file_name="f")
    # GetDiagnostics cannot be refused: sending "no status" for Rejected would accept it.
    with pytest.raises(G.NotRepresentable) as caught:
        mapper.response_to_native(request, G.GetLogResponse(status="Rejected"))
    assert caught.value.field == "status"


@pytest.mark.parametrize("version", [V16, V201, V21])
def test_a_get_log_answer_without_status_is_refused_where_it_is_required(version: str) -> None:
    request = G.GetLogRequest(log=LOG, log_type="DiagnosticsLog", request_id=1)
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(version).response_to_native(request, G.GetLogResponse(filename="f"))
    assert caught.value.field == "status"


# ----------------------------------------------------------------- LogStatusNotification

DIAGNOSTICS = [
    ("Idle", "Idle"),
    ("Uploaded", "Uploaded"),
    ("UploadFailure", "UploadFailed"),
    ("Uploading", "Uploading"),
]


@pytest.mark.parametrize(("generic", "v16"), DIAGNOSTICS)
def test_diagnostics_status_notification_statuses(generic: str, v16: str) -> None:
    mapper = G.mapper_for(V16)
    request = G.LogStatusNotificationRequest(status=generic, v16_diagnostics=True)
    assert mapper.action_for(request) == "DiagnosticsStatusNotification"
    native = through_the_wire(V16, mapper.request_to_native(request))
    assert native == m16.DiagnosticsStatusNotificationRequest(status=v16)
    received = G.mapper_for(V16).request_from_native(native)
    assert plain(received) == request
    answer = mapper.response_from_native(request, m16.DiagnosticsStatusNotificationResponse())
    assert plain(answer) == G.LogStatusNotificationResponse()
    assert mapper.response_to_native(request, G.LogStatusNotificationResponse()) == (
        m16.DiagnosticsStatusNotificationResponse()
    )


@pytest.mark.parametrize(
    "status", ["BadMessage", "NotSupportedOperation", "PermissionDenied", "AcceptedCanceled"]
)
def test_statuses_diagnostics_lacks_are_refused(status: str) -> None:
    request = G.LogStatusNotificationRequest(status=status, v16_diagnostics=True)
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V16).request_to_native(request)
    assert (caught.value.operation, caught.value.field) == ("LogStatusNotification", "status")
    # The whitepaper's LogStatusNotification has them (but AcceptedCanceled, 2.x only).
    if status != "AcceptedCanceled":
        plain_request = msgspec.structs.replace(request, v16_diagnostics=None)
        assert type(G.mapper_for(V16).request_to_native(plain_request)) is (
            m16.LogStatusNotificationRequest
        )


def test_log_status_without_request_id_stays_the_whitepaper_notification() -> None:
    """No request id is normal for the whitepaper's notification (Idle): only the flag
    chooses DiagnosticsStatusNotification; a request id is ignored by it."""
    mapper = G.mapper_for(V16)
    idle = G.LogStatusNotificationRequest(status="Idle")
    assert mapper.request_to_native(idle) == m16.LogStatusNotificationRequest(status="Idle")
    flagged = G.LogStatusNotificationRequest(status="Uploading", request_id=3, v16_diagnostics=True)
    assert mapper.request_to_native(flagged) == m16.DiagnosticsStatusNotificationRequest(
        status="Uploading"
    )
    # 2.x ignores the 1.6 flag and keeps the request id.
    assert G.mapper_for(V21).request_to_native(flagged) == m21.LogStatusNotificationRequest(
        status="Uploading", request_id=3
    )


def test_a_station_answers_get_diagnostics_with_diagnostics_notifications() -> None:
    """The station copies the flag from the request it got: written once, the same code
    serves GetLog (2.x, whitepaper) and GetDiagnostics (1.6 core)."""

    def station_uploads(request: G.GetLogRequest) -> "list[G.LogStatusNotificationRequest]":
        return [
            G.LogStatusNotificationRequest(
                status=status,
                request_id=request.request_id,
                v16_diagnostics=request.v16_diagnostics,
            )
            for status in ("Uploading", "Uploaded")
        ]

    csms, station = G.mapper_for(V16), G.mapper_for(V16)
    for sent, carrier in (
        (
            G.GetLogRequest(log=LOG, log_type="DiagnosticsLog", v16_diagnostics=True),
            m16.DiagnosticsStatusNotificationRequest,
        ),
        (
            G.GetLogRequest(log=LOG, log_type="DiagnosticsLog", request_id=5),
            m16.LogStatusNotificationRequest,
        ),
    ):
        got = station.request_from_native(through_the_wire(V16, csms.request_to_native(sent)))
        assert isinstance(got, G.GetLogRequest)
        for notification in station_uploads(got):
            native = through_the_wire(V16, station.request_to_native(notification))
            assert type(native) is carrier
            back = csms.request_from_native(native)
            assert isinstance(back, G.LogStatusNotificationRequest)
            assert (back.status, back.request_id) == (notification.status, sent.request_id)


# ----------------------------------------------------------------- configuration keys

# 2.0.1 identifierString characters (the spec's identifier data type); the standardized
# names are CamelCase, and components of the table are controllers.
IDENTIFIER = re.compile(r"^[A-Za-z0-9*\-_=:+|@.]{1,50}$")


def test_oca_table_names_are_valid_2_0_1_identifiers() -> None:
    assert len(G.OCA_CONFIGURATION_KEYS) >= 25
    for key, (component, variable) in G.OCA_CONFIGURATION_KEYS.items():
        assert IDENTIFIER.match(key) and len(key) <= 50, key  # a 1.6 CiString50 key
        assert IDENTIFIER.match(component) and component.endswith("Ctrlr"), component
        assert IDENTIFIER.match(variable) and variable[0].isupper(), variable
        # The typed 2.0.1 messages take them (lengths, shapes).
        msgspec.convert({"name": component}, m201.Component)
        msgspec.convert({"name": variable}, m201.Variable)
    pairs = list(G.OCA_CONFIGURATION_KEYS.values())
    assert len(set(pairs)) == len(pairs)  # one key per pair: mapping back is unambiguous


@pytest.mark.parametrize(
    ("key", "component", "variable"),
    [
        ("HeartbeatInterval", "OCPPCommCtrlr", "HeartbeatInterval"),
        ("MeterValueSampleInterval", "SampledDataCtrlr", "TxUpdatedInterval"),
        ("ConnectionTimeOut", "TxCtrlr", "EVConnectionTimeOut"),
        ("LocalAuthorizeOffline", "AuthCtrlr", "LocalAuthorizeOffline"),
        ("AuthorizeRemoteTxRequests", "AuthCtrlr", "AuthorizeRemoteStart"),
        ("StopTxnSampledData", "SampledDataCtrlr", "TxEndedMeasurands"),
        ("CpoName", "SecurityCtrlr", "OrganizationName"),
    ],
)
def test_oca_lookups_both_ways(key: str, component: str, variable: str) -> None:
    keys = G.ConfigurationKeys.oca()
    assert keys.to_pair(key) == (component, variable)
    assert keys.to_key(component, variable) == key


def test_the_default_1_6_mapper_uses_the_oca_names_for_every_standard_key() -> None:
    mapper = G.mapper_for(V16)
    standard = sorted(G.OCA_CONFIGURATION_KEYS)
    native = m16.GetConfigurationRequest(key=[*standard, "VendorKey"])
    generic = mapper.request_from_native(native)
    assert isinstance(generic, G.GetVariablesRequest)
    names = [(d.component.name, d.variable.name) for d in generic.get_variable_data]
    assert names == [G.OCA_CONFIGURATION_KEYS[k] for k in standard] + [
        ("V16Configuration", "VendorKey")
    ]
    assert mapper.request_to_native(plain(generic)) == native
    # The standard key is no longer reachable under the fallback component...
    fallback = G.GetVariablesRequest(
        get_variable_data=[
            G.GetVariableData(
                component=G.Component(name="V16Configuration"),
                variable=G.Variable(name="HeartbeatInterval"),
            )
        ]
    )
    with pytest.raises(G.NotRepresentable):
        mapper.request_to_native(fallback)
    # ...unless the mapper is given the bare table, which spells every key that way.
    bare = G.mapper_for(V16, configuration_keys=G.ConfigurationKeys())
    assert bare.request_to_native(fallback) == m16.GetConfigurationRequest(
        key=["HeartbeatInterval"]
    )


def test_one_set_variables_for_every_version() -> None:
    request = G.SetVariablesRequest(
        set_variable_data=[
            G.SetVariableData(
                component=G.Component(name="TxCtrlr"),
                variable=G.Variable(name="EVConnectionTimeOut"),
                attribute_value="90",
            )
        ]
    )
    assert G.mapper_for(V16).request_to_native(request) == m16.ChangeConfigurationRequest(
        key="ConnectionTimeOut", value="90"
    )
    for version in (V201, V21):
        native = G.mapper_for(version).request_to_native(request)
        item = native.set_variable_data[0]
        assert (item.component.name, item.variable.name) == ("TxCtrlr", "EVConnectionTimeOut")


def test_oca_table_extends_and_refuses_ambiguity() -> None:
    keys = G.ConfigurationKeys.oca({"AcmeLed": ("AcmeCtrlr", "Led")})
    assert keys.to_pair("AcmeLed") == ("AcmeCtrlr", "Led")
    assert keys.to_key("OCPPCommCtrlr", "HeartbeatInterval") == "HeartbeatInterval"
    replaced = G.ConfigurationKeys.oca({"HeartbeatInterval": ("AcmeCtrlr", "Beat")})
    assert replaced.to_key("AcmeCtrlr", "Beat") == "HeartbeatInterval"
    assert replaced.to_key("OCPPCommCtrlr", "HeartbeatInterval") is None
    with pytest.raises(ValueError, match="both map to"):
        G.ConfigurationKeys.oca({"MyInterval": ("OCPPCommCtrlr", "HeartbeatInterval")})
