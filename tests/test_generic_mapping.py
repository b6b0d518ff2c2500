"""The explicit parts of the generic mapping: unavailable operations, values a version
cannot carry, the per-version rules of docs/generic.md, and that document's table."""

import datetime
import pathlib
import re
from typing import Any

import msgspec
import pytest

import ocpp_core.generic as G
from ocpp_core.errors import LocalProtocolError, OcppError
from ocpp_core.generic.table import MAPPERS, render_markdown
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.versions import V16, V21, V201

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "generic.md"


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, native=None)


# ----------------------------------------------------------------- the table


def test_doc_table_is_the_generated_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- operation-table:begin -->\n(.*?)<!-- operation-table:end -->", text, re.S
    )
    assert found is not None
    assert found.group(1) == render_markdown()


def test_table_rows_follow_the_mapper_registries() -> None:
    rows = {line.split(" | ")[0].lstrip("| "): line for line in render_markdown().splitlines()}
    assert rows["TransactionEvent"] == (
        "| TransactionEvent | station | mapped: StartTransaction, MeterValues, "
        "StopTransaction | native | native | yes |"
    )
    assert (
        "| GetTransactionStatus | csms | not available | native | native | yes |"
        in (rows["GetTransactionStatus"])
    )
    for version, mapper in MAPPERS:
        for operation in G.OPERATIONS:
            listed = (
                "not available"
                not in rows[operation].split(" | ")[2 + [V16, V201, V21].index(version)]
            )
            assert listed == (operation in mapper.ACTIONS)


def test_every_registered_action_has_its_handlers() -> None:
    for _, mapper in MAPPERS:
        for operation, actions in mapper.ACTIONS.items():
            assert operation in G.OPERATIONS
            assert hasattr(mapper, "_out_" + operation)
            for action in actions:
                assert action in mapper.messages.REQUESTS
                for prefix in ("_in_", "_reply_out_", "_reply_in_"):
                    assert hasattr(mapper, prefix + action), (mapper.version, prefix, action)


# ----------------------------------------------------------------- errors


def test_an_operation_the_version_lacks_is_refused_before_anything_is_built() -> None:
    mapper = G.mapper_for(V16)
    request = G.GetTransactionStatusRequest(transaction_id="t")
    with pytest.raises(G.OperationNotAvailable) as caught:
        mapper.request_to_native(request)
    error = caught.value
    assert isinstance(error, LocalProtocolError)
    assert (error.operation, error.version) == ("GetTransactionStatus", V16)
    assert "GetTransactionStatus" in str(error) and "1.6" in str(error)
    with pytest.raises(G.OperationNotAvailable):
        mapper.response_to_native(request, G.GetTransactionStatusResponse(messages_in_queue=False))
    with pytest.raises(G.OperationNotAvailable):
        mapper.action_for(request)
    assert not mapper.available("GetTransactionStatus")
    assert G.mapper_for(V201).available("GetTransactionStatus")


def test_a_native_action_outside_the_model_is_named() -> None:
    # Every 1.6 action is mapped now (GetDiagnostics carries GetLog); a 2.1-only one is not.
    native = m21.GetTariffsRequest(evse_id=1)
    with pytest.raises(G.NoGenericMapping) as caught:
        G.mapper_for(V21).request_from_native(native)
    assert isinstance(caught.value, OcppError)
    assert (caught.value.action, caught.value.version) == ("GetTariffs", V21)


def test_wrong_types_are_programming_errors() -> None:
    mapper = G.mapper_for(V21)
    with pytest.raises(TypeError):
        mapper.request_to_native(G.IdToken(id_token="x"))
    with pytest.raises(TypeError):
        mapper.request_from_native(m16.HeartbeatRequest())
    with pytest.raises(TypeError):
        mapper.response_to_native(G.HeartbeatRequest(), G.ClearCacheResponse(status="Accepted"))
    with pytest.raises(TypeError):
        mapper.response_from_native(G.HeartbeatRequest(), m21.ClearCacheResponse(status="Accepted"))
    with pytest.raises(ValueError):
        G.mapper_for("1.5")
    with pytest.raises(TypeError):
        G.mapper_for(V201, layout=None)


FW = G.Firmware(location="ftp://fw.example.com/a.bin", retrieve_date_time=T0)

REFUSED = [
    (
        V16,
        G.UpdateFirmwareRequest(firmware=msgspec.structs.replace(FW, install_date_time=T0)),
        "firmware.install_date_time",
    ),
    (
        V16,
        G.UpdateFirmwareRequest(firmware=msgspec.structs.replace(FW, signature="s")),
        "request_id",
    ),
    (V201, G.UpdateFirmwareRequest(firmware=FW), "request_id"),
    (V16, G.FirmwareStatusNotificationRequest(status="DownloadScheduled"), "$.status"),
    (V16, G.SignCertificateRequest(csr="c", certificate_type="V2GCertificate"), "certificate_type"),
    (
        V16,
        G.CertificateSignedRequest(certificate_chain="c", certificate_type="V2GCertificate"),
        "certificate_type",
    ),
    (
        V16,
        G.ReserveNowRequest(
            id=1, expiry_date_time=T0, id_token=G.IdToken(id_token="t"), connector_type="cType2"
        ),
        "connector_type",
    ),
    (
        V201,
        G.SendLocalListRequest(version_number=1, update_type="Full", local_authorization_list=[]),
        "$.localAuthorizationList",
    ),
    (V201, G.AuthorizeRequest(id_token=G.IdToken(id_token="x")), "id_token.type"),
    (
        V21,
        G.BootNotificationRequest(charging_station=G.ChargingStation(vendor_name="v", model="m")),
        "reason",
    ),
    (
        V201,
        G.TransactionEventRequest(event_type="Ended", transaction_id="t", timestamp=T0),
        "trigger_reason",
    ),
    (V21, G.GetVariablesRequest(get_variable_data=[]), "get_variable_data"),
    (
        V21,
        G.RequestStartTransactionRequest(id_token=G.IdToken(id_token="x", type="Central")),
        "remote_start_id",
    ),
    (
        V201,
        G.StatusNotificationRequest(evse_id=1, connector_id=1, connector_status="Occupied"),
        "timestamp",
    ),
    (V201, G.ResetRequest(type="Hard"), "$.type"),
    (
        V21,
        G.AuthorizeRequest(id_token=G.IdToken(id_token="x" * 256, type="Central")),
        "$.idToken.idToken",
    ),
    (
        V16,
        G.StatusNotificationRequest(evse_id=1, connector_id=1, connector_status="Occupied"),
        "v16_status",
    ),
    (
        V16,
        G.StatusNotificationRequest(evse_id=1, connector_id=2, connector_status="Available"),
        "evse_id",
    ),
    (V16, G.ResetRequest(type="OnIdle"), "type"),
    (V16, G.ResetRequest(type="Immediate", evse_id=2), "evse_id"),
    (V16, G.DataTransferRequest(vendor_id="v", data={"a": 1}), "data"),
    (V16, G.AuthorizeRequest(id_token=G.IdToken(id_token="x" * 21)), "$.idTag"),
    (V16, G.RequestStopTransactionRequest(transaction_id="not-a-number"), "transaction_id"),
    (
        V16,
        G.TransactionEventRequest(event_type="Updated", transaction_id="7", meter_value=[]),
        "evse",
    ),
    (
        V16,
        G.TransactionEventRequest(event_type="Ended", transaction_id="7", timestamp=T0),
        "meter_stop",
    ),
    (V16, G.TransactionEventRequest(event_type="Paused", transaction_id="7"), "event_type"),
    (V16, G.SetVariablesRequest(set_variable_data=[]), "set_variable_data"),
    (
        V16,
        G.GetVariablesRequest(
            get_variable_data=[
                G.GetVariableData(component=G.Component(name="X"), variable=G.Variable(name="Y"))
            ]
        ),
        "component",
    ),
    (
        V16,
        G.GetVariablesRequest(
            get_variable_data=[
                G.GetVariableData(
                    component=G.Component(name="V16Configuration"),
                    variable=G.Variable(name="K"),
                    attribute_type="Target",
                )
            ]
        ),
        "attribute_type",
    ),
]


@pytest.mark.parametrize(("version", "request_", "field"), REFUSED)
def test_values_a_version_cannot_carry_are_refused(version: str, request_: Any, field: str) -> None:
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(version).request_to_native(request_)
    error = caught.value
    assert (error.version, error.field) == (version, field)
    assert error.operation == G.operation_of(request_)
    assert version in str(error) and field in str(error)


def test_1_6_refuses_data_it_would_otherwise_drop() -> None:
    mapper = G.mapper_for(V16)
    signed = G.SampledValue(
        value=1.0,
        signed_meter_value=G.SignedMeterValue(signed_meter_data="AB", encoding_method="OCMF"),
    )
    scaled = G.SampledValue(value=1.0, multiplier=3)
    for sample in (signed, scaled):
        request = G.MeterValuesRequest(
            evse_id=1, meter_value=[G.MeterValue(timestamp=T0, sampled_value=[sample])]
        )
        with pytest.raises(G.NotRepresentable):
            mapper.request_to_native(request)
    two = [G.MeterValue(timestamp=T0, sampled_value=[G.SampledValue(value=1.0)])] * 2
    started = G.TransactionEventRequest(
        event_type="Started",
        transaction_id="s",
        timestamp=T0,
        evse=G.Evse(id=1),
        id_token=G.IdToken(id_token="t"),
        meter_start=5,
        meter_value=two,
    )
    with pytest.raises(G.NotRepresentable, match="meter_value"):
        mapper.request_to_native(started)


# ----------------------------------------------------------------- 1.6 rules


@pytest.mark.parametrize(
    ("status", "generic", "detail"),
    [
        ("Available", "Available", None),
        ("Preparing", "Occupied", "Preparing"),
        ("Charging", "Occupied", "Charging"),
        ("SuspendedEVSE", "Occupied", "SuspendedEVSE"),
        ("SuspendedEV", "Occupied", "SuspendedEV"),
        ("Finishing", "Occupied", "Finishing"),
        ("Reserved", "Reserved", None),
        ("Unavailable", "Unavailable", None),
        ("Faulted", "Faulted", None),
    ],
)
def test_1_6_connector_status(status: str, generic: str, detail: "str | None") -> None:
    native = msgspec.convert(
        {"connectorId": 2, "errorCode": "NoError", "status": status},
        m16.StatusNotificationRequest,
    )
    mapper = G.mapper_for(V16)
    got = mapper.request_from_native(native)
    assert isinstance(got, G.StatusNotificationRequest)
    assert (got.evse_id, got.connector_id, got.connector_status, got.v16_status) == (
        2,
        1,
        generic,
        detail,
    )
    assert got.error_code is None
    assert mapper.request_to_native(plain(got)) == native


def test_1_6_reset_types() -> None:
    mapper = G.mapper_for(V16)
    assert mapper.request_to_native(G.ResetRequest(type="Immediate")).type_ == "Soft"
    hard = G.ResetRequest(type="Immediate", v16_type="Hard")
    assert mapper.request_to_native(hard).type_ == "Hard"
    assert plain(mapper.request_from_native(m16.ResetRequest(type_="Hard"))) == hard
    assert plain(mapper.request_from_native(m16.ResetRequest(type_="Soft"))) == G.ResetRequest(
        type="Immediate"
    )


def test_1_6_meter_start_comes_from_the_begin_sample_only() -> None:
    mapper = G.mapper_for(V16)
    begin = G.SampledValue(value=1.5, context="Transaction.Begin", unit="kWh")
    request = G.TransactionEventRequest(
        event_type="Started",
        transaction_id="s",
        timestamp=T0,
        evse=G.Evse(id=3),
        id_token=G.IdToken(id_token="t", type="ISO14443"),
        meter_value=[G.MeterValue(timestamp=T0, sampled_value=[begin])],
    )
    native = mapper.request_to_native(request)
    assert (native.meter_start, native.connector_id, native.id_tag) == (1500, 3, "t")
    periodic = G.SampledValue(value=1.5, context="Sample.Periodic")
    guess = msgspec.structs.replace(
        request, meter_value=[G.MeterValue(timestamp=T0, sampled_value=[periodic])]
    )
    with pytest.raises(G.NotRepresentable, match="meter_start"):
        G.mapper_for(V16).request_to_native(guess)


def test_2x_carries_1_6_meter_readings_as_samples() -> None:
    from_16 = G.TransactionEventRequest(
        event_type="Ended",
        transaction_id="9",
        timestamp=T0,
        trigger_reason="StopAuthorized",
        seq_no=3,
        meter_stop=4200,
    )
    native = G.mapper_for(V201).request_to_native(from_16)
    (value,) = native.meter_value
    (sample,) = value.sampled_value
    assert (sample.value, sample.context, sample.measurand, sample.unit_of_measure.unit) == (
        4200.0,
        "Transaction.End",
        "Energy.Active.Import.Register",
        "Wh",
    )
    back = G.mapper_for(V201).request_from_native(native)
    assert isinstance(back, G.TransactionEventRequest)
    assert back.meter_stop is None and back.meter_stop_wh() == 4200
    # A sample already there wins; no second one is made up.
    own = G.MeterValue(
        timestamp=T0,
        sampled_value=[G.SampledValue(value=4.3, context="Transaction.End", unit="kWh")],
    )
    both = msgspec.structs.replace(from_16, meter_value=[own])
    assert len(G.mapper_for(V21).request_to_native(both).meter_value) == 1


def test_derived_readings_convert_units() -> None:
    def reading(**fields: Any) -> "int | None":
        sample = G.SampledValue(context="Transaction.Begin", **fields)
        return G.model.register_wh(
            [G.MeterValue(timestamp=T0, sampled_value=[sample])], "Transaction.Begin"
        )

    assert reading(value=2.0, unit="kWh") == 2000
    assert reading(value=2.0, unit="Wh", multiplier=3) == 2000
    assert reading(value=2.0, measurand="Power.Active.Import") is None
    assert reading(value=2.0, unit="varh") is None
    assert reading(value=2.0, phase="L1") is None


def test_1_6_configuration_keys() -> None:
    keys = G.ConfigurationKeys({"HeartbeatInterval": ("OCPPCommCtrlr", "HeartbeatInterval")})
    mapper = G.mapper_for(V16, configuration_keys=keys)
    request = G.GetVariablesRequest(
        get_variable_data=[
            G.GetVariableData(
                component=G.Component(name="OCPPCommCtrlr"),
                variable=G.Variable(name="HeartbeatInterval"),
            ),
            G.GetVariableData(
                component=G.Component(name="V16Configuration"), variable=G.Variable(name="Vendor1")
            ),
        ]
    )
    native = mapper.request_to_native(request)
    assert native.key == ["HeartbeatInterval", "Vendor1"]
    assert plain(mapper.request_from_native(native)) == request
    everything = mapper.request_to_native(G.GetVariablesRequest(get_variable_data=[]))
    assert everything == m16.GetConfigurationRequest()
    # A key the table maps elsewhere cannot be reached through the fallback component.
    with pytest.raises(G.NotRepresentable):
        mapper.request_to_native(
            G.SetVariablesRequest(
                set_variable_data=[
                    G.SetVariableData(
                        component=G.Component(name="V16Configuration"),
                        variable=G.Variable(name="HeartbeatInterval"),
                        attribute_value="1",
                    )
                ]
            )
        )


def test_1_6_change_configuration_statuses() -> None:
    mapper = G.mapper_for(V16)
    item = G.SetVariableData(
        component=G.Component(name="V16Configuration"),
        variable=G.Variable(name="K"),
        attribute_value="1",
    )
    request = G.SetVariablesRequest(set_variable_data=[item])

    def answer(status: str) -> Any:
        result = G.SetVariableResult(
            attribute_status=status, component=item.component, variable=item.variable
        )
        return G.SetVariablesResponse(set_variable_result=[result])

    assert mapper.response_to_native(request, answer("UnknownComponent")).status == "NotSupported"
    native = m16.ChangeConfigurationResponse(status="NotSupported")
    back = mapper.response_from_native(request, native)
    assert back.set_variable_result[0].attribute_status == "UnknownVariable"
    with pytest.raises(G.NotRepresentable):
        mapper.response_to_native(request, answer("NotSupportedAttributeType"))


def test_native_is_kept_and_reaches_what_the_model_leaves_out() -> None:
    native = msgspec.convert({"customData": {"vendorId": "acme", "x": 1}}, m21.HeartbeatRequest)
    got = G.mapper_for(V21).request_from_native(native)
    assert got.native is native and got.native.custom_data["x"] == 1
    assert G.mapper_for(V21).request_to_native(got) == m21.HeartbeatRequest()


def test_a_request_received_on_another_version_maps_by_its_generic_fields() -> None:
    """A CSMS forwarding a 2.1 request to a 1.6 station: `native` of 2.1 is ignored."""
    received = G.mapper_for(V21).request_from_native(m21.ClearCacheRequest())
    mapper = G.mapper_for(V16)
    assert mapper.request_to_native(received) == m16.ClearCacheRequest()
    answer = mapper.response_from_native(received, m16.ClearCacheResponse(status="Rejected"))
    assert plain(answer) == G.ClearCacheResponse(status="Rejected")


def test_1_6_firmware_carriers() -> None:
    mapper = G.mapper_for(V16)
    unsigned = G.UpdateFirmwareRequest(firmware=FW, request_id=5, retries=2)
    native = mapper.request_to_native(unsigned)
    assert type(native) is m16.UpdateFirmwareRequest  # request_id has no place: ignored
    answer = mapper.response_from_native(unsigned, m16.UpdateFirmwareResponse())
    assert plain(answer) == G.UpdateFirmwareResponse(status=None)
    signed_fw = msgspec.structs.replace(FW, signing_certificate="c", signature="s")
    signed = G.UpdateFirmwareRequest(firmware=signed_fw, request_id=5)
    assert type(mapper.request_to_native(signed)) is m16.SignedUpdateFirmwareRequest
    with pytest.raises(G.NotRepresentable, match="status"):
        mapper.response_to_native(signed, G.UpdateFirmwareResponse())
    assert mapper.response_to_native(unsigned, G.UpdateFirmwareResponse(status="Accepted")) == (
        m16.UpdateFirmwareResponse()
    )
    for status, request_id, signed_flag, carrier in (
        ("Installed", None, None, m16.FirmwareStatusNotificationRequest),
        ("Installed", 7, None, m16.SignedFirmwareStatusNotificationRequest),
        ("Idle", None, True, m16.SignedFirmwareStatusNotificationRequest),
    ):
        request = G.FirmwareStatusNotificationRequest(
            status=status, request_id=request_id, v16_signed=signed_flag
        )
        native = mapper.request_to_native(request)
        assert type(native) is carrier
        assert plain(mapper.request_from_native(native)) == request
