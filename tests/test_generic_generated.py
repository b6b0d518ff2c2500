"""The generated part of the generic model and the charging profiles: one type per
concept, fields a version lacks refused (never dropped), fields it requires named,
OperationNotAvailable in 1.6, and the hand-written 1.6 profile rules."""

import datetime
import pathlib
import re
import typing
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_generic_support_2x import requests, responses

import ocpp_core.generic as G
from ocpp_core.codec import Codec
from ocpp_core.generic import base, model, model_2x, model_extra, model_profiles
from ocpp_core.generic.model_2x import INT_IN_201, WIRE_FIELDS
from ocpp_core.generic.state import TransactionIds
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
from ocpp_core.versions import V16, V21, V201
from tools.codegen import emit_generic
from tools.codegen.emit_generic import attr_name
from tools.codegen.loader import VERSIONS, CodegenError, load_version

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
ONLY_2X = sorted(set(G.OPERATIONS_2X) - set(G.IN_V16))


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, native=None)


def period(**fields: Any) -> G.ChargingSchedulePeriod:
    return G.ChargingSchedulePeriod(**{"start_period": 0, "limit": 16.0, **fields})


def schedule(**fields: Any) -> G.ChargingSchedule:
    return G.ChargingSchedule(
        **{"id": 1, "charging_rate_unit": "A", "charging_schedule_period": [period()], **fields}
    )


def profile(**fields: Any) -> G.ChargingProfile:
    return G.ChargingProfile(
        **{
            "id": 7,
            "stack_level": 0,
            "charging_profile_purpose": "TxDefaultProfile",
            "charging_profile_kind": "Absolute",
            "charging_schedule": [schedule()],
            **fields,
        }
    )


# ----------------------------------------------------------------- one type per concept

MODULES = (base, model, model_extra, model_profiles, model_2x)


def test_the_namespace_has_one_type_per_concept() -> None:
    classes: dict[str, type] = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, G.GenericStruct):
                assert classes.setdefault(name, value) is value, f"two {name} types"
                assert getattr(G, name) is value
    # No spelling variants of one concept either (EVSE next to Evse, ...).
    lowered = [name.lower() for name in classes]
    assert len(lowered) == len(set(lowered))
    # The generated messages use the hand-written nested types.
    hints = typing.get_type_hints(G.CustomerInformationRequest)
    assert hints["id_token"] == G.IdToken | None
    assert hints["customer_certificate"] == G.CertificateHashData | None
    assert typing.get_type_hints(G.GetReportRequest)["component_variable"] == (
        list[G.ComponentVariable] | None
    )
    assert typing.get_type_hints(G.ComponentVariable)["component"] is G.Component
    assert typing.get_type_hints(G.Component)["evse"] == G.Evse | None
    assert typing.get_type_hints(G.RequestStartTransactionRequest)["charging_profile"] == (
        G.ChargingProfile | None
    )
    assert (
        typing.get_type_hints(G.ReportChargingProfilesRequest)["charging_profile"]
        == (list[G.ChargingProfile])
    )
    assert not hasattr(G, "EVSE")


def test_every_generated_operation_is_registered_once() -> None:
    assert len(G.OPERATIONS_2X) == 32
    for operation, pair in G.OPERATIONS_2X.items():
        assert G.OPERATIONS[operation] == pair
        assert G.operation_of(pair[0](**_required(pair[0]))) == operation
    assert set(G.IN_V16) == {"SetChargingProfile", "GetCompositeSchedule"}


def _required(cls: type) -> "dict[str, Any]":
    return {
        f.name: None for f in msgspec.structs.fields(cls) if f.required
    }  # values do not matter to operation_of


def test_wire_tables_cover_every_field() -> None:
    for cls, table in WIRE_FIELDS.items():
        attributes = {row[0] for row in table}
        fields = {f for f in cls.__struct_fields__ if f != "native" and not f.startswith("v16_")}
        assert attributes == fields, cls.__name__
        for attr, wire, versions, nested in table:
            assert attr == attr_name(wire)
            assert set(versions) <= {V201, V21} and versions
            if nested is not None:
                assert nested in WIRE_FIELDS
    limits = {row[1]: row[0] for row in WIRE_FIELDS[G.ChargingSchedulePeriod]}
    assert limits["limit_L2"] == "limit_l2" and limits["setpointReactive_L3"] == (
        "setpoint_reactive_l3"
    )


# ----------------------------------------------------------------- versions


@pytest.mark.parametrize("operation", ONLY_2X)
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_2x_only_operations_are_not_available_in_1_6(operation: str, data: Any) -> None:
    request = data.draw(requests(V201, operation))
    response = data.draw(responses(V201, operation, request))
    mapper = G.mapper_for(V16)
    assert not mapper.available(operation)
    for call in (
        lambda: mapper.request_to_native(request),
        lambda: mapper.response_to_native(request, response),
        lambda: mapper.action_for(request),
    ):
        with pytest.raises(G.OperationNotAvailable) as caught:
            call()
        assert (caught.value.operation, caught.value.version) == (operation, V16)
    assert G.mapper_for(V201).available(operation) and G.mapper_for(V21).available(operation)


def test_a_2_1_only_field_is_refused_for_2_0_1_with_its_path() -> None:
    request = G.SetChargingProfileRequest(
        evse_id=1,
        charging_profile=profile(
            charging_schedule=[schedule(charging_schedule_period=[period(limit_l2=8.0)])]
        ),
    )
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V201).request_to_native(request)
    path = "charging_profile.charging_schedule[0].charging_schedule_period[0].limit_l2"
    assert (caught.value.version, caught.value.field) == (V201, path)
    assert caught.value.operation == "SetChargingProfile"
    # 2.1 carries it, under its wire name limit_L2, through the Codec.
    native = G.mapper_for(V21).request_to_native(request)
    text = Codec(V21).encode_call("m1", native)
    assert '"limit_L2":8.0' in text.replace(" ", "")
    back = G.mapper_for(V21).request_from_native(native)
    assert plain(back) == request
    # A top-level 2.1-only field, and one of a message 2.0.1 has.
    needs = G.NotifyEVChargingNeedsRequest(
        evse_id=1,
        charging_needs=G.ChargingNeeds(requested_energy_transfer="DC"),
        timestamp=T0,
    )
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V201).request_to_native(needs)
    assert caught.value.field == "timestamp"
    G.mapper_for(V21).request_to_native(needs)


def test_a_field_the_version_requires_is_named() -> None:
    # NetworkConnectionProfile.ocppVersion: required by 2.0.1, optional in 2.1.
    data = G.NetworkConnectionProfile(
        ocpp_transport="JSON",
        ocpp_csms_url="wss://csms.example.com/ocpp",
        message_timeout=30,
        security_profile=2,
        ocpp_interface="Wired0",
    )
    request = G.SetNetworkProfileRequest(configuration_slot=1, connection_data=data)
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V201).request_to_native(request)
    assert caught.value.field == "$.connectionData.ocppVersion"
    assert G.mapper_for(V21).request_to_native(request).connection_data.ocpp_version is (
        msgspec.UNSET
    )
    # A schedule that came from 1.6 has no id; 2.x requires one.
    no_id = profile(charging_schedule=[schedule(id=None)])
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V21).request_to_native(
            G.SetChargingProfileRequest(evse_id=1, charging_profile=no_id)
        )
    assert caught.value.field == "$.chargingProfile.chargingSchedule[0].id"
    # The 1.6-shaped composite schedule lacks what 2.x requires.
    answer = G.GetCompositeScheduleResponse(
        status="Accepted",
        schedule=G.CompositeSchedule(charging_rate_unit="W", charging_schedule_period=[period()]),
    )
    request_ = G.GetCompositeScheduleRequest(duration=60, evse_id=1)
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V201).response_to_native(request_, answer)
    assert caught.value.field.startswith("$.schedule.")


def test_integers_of_2_0_1_that_2_1_made_numbers() -> None:
    assert "energy_amount" in INT_IN_201[G.ACChargingParameters]

    def needs(amount: float) -> G.NotifyEVChargingNeedsRequest:
        ac = G.ACChargingParameters(
            energy_amount=amount, ev_min_current=6.0, ev_max_current=32.0, ev_max_voltage=400.0
        )
        return G.NotifyEVChargingNeedsRequest(
            evse_id=1,
            charging_needs=G.ChargingNeeds(
                requested_energy_transfer="AC_three_phase", ac_charging_parameters=ac
            ),
        )

    native = G.mapper_for(V201).request_to_native(needs(16000.0))
    assert isinstance(native, m201.NotifyEVChargingNeedsRequest)
    assert native.charging_needs.ac_charging_parameters.energy_amount == 16000
    back = G.mapper_for(V201).request_from_native(native)
    assert plain(back) == needs(16000.0)
    energy = back.charging_needs.ac_charging_parameters.energy_amount
    assert isinstance(energy, float)
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V201).request_to_native(needs(16000.5))
    assert "energyAmount" in caught.value.field
    assert G.mapper_for(V21).request_to_native(needs(16000.5)).charging_needs is not None


# ----------------------------------------------------------------- 1.6 charging profiles


def test_1_6_set_charging_profile_rules() -> None:
    mapper = G.mapper_for(V16)
    request = G.SetChargingProfileRequest(
        evse_id=2, charging_profile=profile(charging_profile_purpose="ChargingStationMaxProfile")
    )
    native = mapper.request_to_native(request)
    assert native == m16.SetChargingProfileRequest(
        connector_id=2,
        cs_charging_profiles=m16.ChargingProfile(
            charging_profile_id=7,
            stack_level=0,
            charging_profile_purpose=m16.ChargingProfilePurpose.ChargePointMaxProfile,
            charging_profile_kind=m16.ChargingProfileKind.Absolute,
            charging_schedule=m16.ChargingSchedule(
                charging_rate_unit=m16.ChargingRateUnit.A,
                charging_schedule_period=[m16.ChargingSchedulePeriod(start_period=0, limit=16.0)],
            ),
        ),
    )
    back = mapper.request_from_native(native)
    # The schedule id has no 1.6 place: ignored going out, None coming back.
    assert back.charging_profile.charging_schedule[0].id is None
    assert plain(back) == msgspec.structs.replace(
        request,
        charging_profile=msgspec.structs.replace(
            request.charging_profile, charging_schedule=[schedule(id=None)]
        ),
    )
    assert mapper.response_to_native(
        request, G.SetChargingProfileResponse(status="Accepted")
    ) == m16.SetChargingProfileResponse(status=m16.ChargingProfileStatus.Accepted)


@pytest.mark.parametrize(
    ("charging_profile", "field"),
    [
        (
            profile(charging_schedule=[schedule(), schedule(id=2)]),
            "charging_profile.charging_schedule",
        ),
        (profile(max_offline_duration=60), "charging_profile.max_offline_duration"),
        (
            profile(
                charging_schedule=[schedule(charging_schedule_period=[period(phase_to_use=1)])]
            ),
            "charging_profile.charging_schedule[0].charging_schedule_period[0].phase_to_use",
        ),
        (
            profile(charging_schedule=[schedule(use_local_time=True)]),
            "charging_profile.charging_schedule[0].use_local_time",
        ),
        (
            profile(charging_profile_purpose="ChargingStationExternalConstraints"),
            "$.csChargingProfiles.chargingProfilePurpose",
        ),
        (profile(transaction_id="not-a-number"), "transaction_id"),
    ],
)
def test_1_6_refuses_what_it_cannot_carry(charging_profile: Any, field: str) -> None:
    with pytest.raises(G.NotRepresentable) as caught:
        G.mapper_for(V16).request_to_native(
            G.SetChargingProfileRequest(evse_id=1, charging_profile=charging_profile)
        )
    assert (caught.value.version, caught.value.field) == (V16, field)


def test_1_6_tx_profile_transaction_ids_go_through_transaction_ids() -> None:
    ids = TransactionIds()
    station, csms = G.mapper_for(V16, transaction_ids=ids), G.mapper_for(V16)
    started = G.TransactionEventRequest(
        event_type="Started",
        transaction_id="tx-A",
        timestamp=T0,
        evse=G.Evse(id=1, connector_id=1),
        id_token=G.IdToken(id_token="TAG"),
        meter_start=0,
    )
    station.request_to_native(started)
    tx_profile = profile(charging_profile_purpose="TxProfile", transaction_id="tx-A")
    request = G.SetChargingProfileRequest(evse_id=1, charging_profile=tx_profile)
    with pytest.raises(G.NotRepresentable) as caught:  # no 1.6 id before the response
        station.request_to_native(request)
    assert caught.value.field == "transaction_id"
    answer = m16.StartTransactionResponse(
        id_tag_info=m16.IdTagInfo(status=m16.AuthorizationStatus.Accepted), transaction_id=42
    )
    station.response_from_native(started, answer)

    # The CSMS names the transaction by the decimal string of its integer.
    sent = csms.request_to_native(
        msgspec.structs.replace(
            request, charging_profile=msgspec.structs.replace(tx_profile, transaction_id="42")
        )
    )
    assert sent.cs_charging_profiles.transaction_id == 42
    # The station maps the integer back to its own id, and its own id to the integer.
    received = station.request_from_native(sent)
    assert received.charging_profile.transaction_id == "tx-A"
    assert station.request_to_native(plain(received)) == sent
    # RemoteStartTransaction carries a profile the same way.
    remote = G.RequestStartTransactionRequest(
        id_token=G.IdToken(id_token="TAG"), evse_id=1, charging_profile=tx_profile
    )
    native = station.request_to_native(remote)
    assert native.charging_profile.transaction_id == 42
    assert plain(station.request_from_native(native)).charging_profile == (
        msgspec.structs.replace(tx_profile, charging_schedule=[schedule(id=None)])
    )


def test_1_6_composite_schedule() -> None:
    mapper = G.mapper_for(V16)
    request = G.GetCompositeScheduleRequest(duration=3600, evse_id=1, charging_rate_unit="W")
    native_request = mapper.request_to_native(request)
    assert native_request == m16.GetCompositeScheduleRequest(
        connector_id=1, duration=3600, charging_rate_unit=m16.ChargingRateUnit.W
    )
    native = m16.GetCompositeScheduleResponse(
        status=m16.GetCompositeScheduleStatus.Accepted,
        connector_id=1,
        schedule_start=T0,
        charging_schedule=m16.ChargingSchedule(
            duration=3600,
            start_schedule=T0,
            charging_rate_unit=m16.ChargingRateUnit.W,
            charging_schedule_period=[m16.ChargingSchedulePeriod(start_period=0, limit=11000.0)],
            min_charging_rate=1000.0,
        ),
    )
    generic = mapper.response_from_native(request, native)
    assert plain(generic) == G.GetCompositeScheduleResponse(
        status="Accepted",
        schedule=G.CompositeSchedule(
            evse_id=1,
            duration=3600,
            schedule_start=T0,
            charging_rate_unit="W",
            charging_schedule_period=[G.ChargingSchedulePeriod(start_period=0, limit=11000.0)],
            v16_start_schedule=T0,
            v16_min_charging_rate=1000.0,
        ),
    )
    assert mapper.response_to_native(request, plain(generic)) == native
    # The same generic answer to a 2.x CSMS: the 1.6 details are ignored.
    native21 = G.mapper_for(V21).response_to_native(request, plain(generic))
    assert native21 == m21.GetCompositeScheduleResponse(
        status=m21.GenericStatus.Accepted,
        schedule=m21.CompositeSchedule(
            evse_id=1,
            duration=3600,
            schedule_start=T0,
            charging_rate_unit=m21.ChargingRateUnit.W,
            charging_schedule_period=[m21.ChargingSchedulePeriod(start_period=0, limit=11000.0)],
        ),
    )
    # A 2.1-only period field has no 1.6 place.
    extra = msgspec.structs.replace(
        generic.schedule, charging_schedule_period=[period(setpoint=5.0)]
    )
    with pytest.raises(G.NotRepresentable) as caught:
        mapper.response_to_native(
            request, G.GetCompositeScheduleResponse(status="Accepted", schedule=extra)
        )
    assert caught.value.field == "schedule.charging_schedule_period[0].setpoint"


# ----------------------------------------------------------------- the generator


def _hand_written_copy(tmp_path: Any, edit: "tuple[str, str, str]") -> Any:
    repo = pathlib.Path(__file__).resolve().parent.parent
    (tmp_path / "ocpp_core/generic").mkdir(parents=True)
    for module in ("model", "model_extra"):
        text = (repo / f"ocpp_core/generic/{module}.py").read_text(encoding="utf-8")
        if module == edit[0]:
            assert edit[1] in text
            text = text.replace(edit[1], edit[2])
        (tmp_path / f"ocpp_core/generic/{module}.py").write_text(text, encoding="utf-8")
    return repo


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("model", "    additional_info: list[AdditionalInfo] | None = None  # 2.x only\n", ""),
            "reused IdToken lacks union fields ['additional_info']",
        ),
        (
            ("model_extra", "class ClearChargingProfileCriteria(", "class ChargingLimit("),
            "ChargingLimit: generated class named like a hand-written one",
        ),
    ],
)
def test_the_generator_keeps_one_type_per_concept(
    tmp_path: Any, edit: "tuple[str, str, str]", message: str
) -> None:
    repo = _hand_written_copy(tmp_path, edit)
    files = {version: load_version(repo, version, folders) for version, _, folders in VERSIONS}
    emit_generic.build(repo, files)  # the real tree is fine
    with pytest.raises(CodegenError, match=re.escape(message)):
        emit_generic.build(tmp_path, files)
