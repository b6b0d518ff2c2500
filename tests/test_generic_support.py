"""Hypothesis strategies for the generic model, per OCPP version (no tests here).

`requests(version, operation)` draws generic requests the version can carry,
`responses(version, operation, request)` generic responses answering them. Enum values,
and which fields exist, come from the version's typed messages; lengths and bounds
follow the schemas (the round trip through the Codec checks them).
"""

import datetime
import functools
from typing import Any

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import ocpp_core.generic as G
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
from ocpp_core.versions import V16, V21, V201

MESSAGES = {V16: m16, V201: m201, V21: m21}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def enum(version: str, type_name: str, field: str, *path: str) -> "st.SearchStrategy[str]":
    """The enum values of a field of a typed message (following nested fields)."""
    info: Any = msgspec.inspect.type_info(getattr(MESSAGES[version], type_name))
    for name in (field, *path):
        info = _unwrap(info)
        info = next(f for f in info.fields if f.name == name).type
    info = _unwrap(info)
    return st.sampled_from([member.value for member in info.cls])


def _unwrap(info: Any) -> Any:
    while True:
        if isinstance(info, msgspec.inspect.UnionType):
            info = next(t for t in info.types if not isinstance(t, msgspec.inspect.UnsetType))
        elif isinstance(info, msgspec.inspect.ListType):
            info = info.item_type
        elif isinstance(info, msgspec.inspect.Metadata):
            info = info.type
        else:
            return info


def text(max_size: int, min_size: int = 0) -> "st.SearchStrategy[str]":
    return st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        min_size=min_size,
        max_size=min(max_size, 40),
    )


def opt(strategy: "st.SearchStrategy[Any]") -> "st.SearchStrategy[Any]":
    return st.none() | strategy


timestamps = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=st.just(datetime.timezone.utc),
)
ints = st.integers(-(2**31), 2**31 - 1)
naturals = st.integers(0, 2**31 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
decimal_ids = naturals.map(str)
is_16 = (V16,).__contains__


# ----------------------------------------------------------------- nested types


def connector16() -> "st.SearchStrategy[tuple[int, int]]":
    """(evse id, connector id) pairs the default 1.6 layout round-trips."""
    return st.just((0, 0)) | st.integers(1, 50).map(lambda n: (n, 1))


def evse(v: str) -> "st.SearchStrategy[G.Evse]":
    if is_16(v):
        return st.integers(1, 50).map(lambda n: G.Evse(id=n, connector_id=1))
    return st.builds(G.Evse, id=naturals, connector_id=opt(naturals))


def id_token(v: str) -> "st.SearchStrategy[G.IdToken]":
    if is_16(v):
        return st.builds(G.IdToken, id_token=text(20))
    kinds = enum(V201, "IdToken", "type_")  # 2.1 types the field as a string
    info = st.builds(G.AdditionalInfo, additional_id_token=text(36), type=text(50))
    return st.builds(
        G.IdToken,
        id_token=text(36),
        type=kinds,
        additional_info=opt(st.lists(info, min_size=1, max_size=2)),
    )


def status_info(v: str) -> "st.SearchStrategy[Any]":
    if is_16(v):
        return st.none()
    return opt(st.builds(G.StatusInfo, reason_code=text(20), additional_info=opt(text(512))))


def message_content(v: str) -> "st.SearchStrategy[G.MessageContent]":
    return st.builds(
        G.MessageContent,
        format=enum(v, "MessageContent", "format_"),
        content=text(512),
        language=opt(text(8)),
    )


def id_token_info(v: str) -> "st.SearchStrategy[G.IdTokenInfo]":
    if is_16(v):
        return st.builds(
            G.IdTokenInfo,
            status=enum(v, "IdTagInfo", "status"),
            cache_expiry_date_time=opt(timestamps),
            group_id_token=opt(st.builds(G.IdToken, id_token=text(20))),
        )
    return st.builds(
        G.IdTokenInfo,
        status=enum(v, "IdTokenInfo", "status"),
        cache_expiry_date_time=opt(timestamps),
        group_id_token=opt(id_token(v)),
        charging_priority=opt(st.integers(-9, 9)),
        language1=opt(text(8)),
        language2=opt(text(8)),
        evse_id=opt(st.lists(naturals, min_size=1, max_size=3)),
        personal_message=opt(message_content(v)),
    )


def sample(v: str, type_name: str = "SampledValue") -> "st.SearchStrategy[G.SampledValue]":
    def field(name: str) -> "st.SearchStrategy[Any]":
        return opt(enum(v, type_name, name))

    if is_16(v):
        return st.builds(
            G.SampledValue,
            value=floats,
            context=field("context"),
            measurand=field("measurand"),
            phase=field("phase"),
            location=field("location"),
            unit=field("unit"),
            format=field("format_"),
        )
    signed = st.builds(
        G.SignedMeterValue,
        signed_meter_data=text(2500),
        encoding_method=text(50),
        signing_method=text(50) if v == V201 else opt(text(50)),
        public_key=text(2500) if v == V201 else opt(text(2500)),
    )
    return st.builds(
        G.SampledValue,
        value=floats,
        context=field("context"),
        measurand=field("measurand"),
        phase=field("phase"),
        location=field("location"),
        unit=opt(text(20)),
        multiplier=opt(st.integers(-9, 9)),
        signed_meter_value=opt(signed),
    )


def meter_values(v: str, type_name: str = "SampledValue") -> "st.SearchStrategy[Any]":
    value = st.builds(
        G.MeterValue,
        timestamp=timestamps,
        sampled_value=st.lists(sample(v, type_name), min_size=1, max_size=3),
    )
    return st.lists(value, min_size=1, max_size=2)


def component(v: str) -> "st.SearchStrategy[G.Component]":
    return st.builds(G.Component, name=text(50), instance=opt(text(50)), evse=opt(evse(v)))


def variable() -> "st.SearchStrategy[G.Variable]":
    return st.builds(G.Variable, name=text(50), instance=opt(text(50)))


DEFAULT_KEYS = G.ConfigurationKeys.oca()


def key_pair() -> "st.SearchStrategy[tuple[G.Component, G.Variable]]":
    """A 1.6 configuration key as the default ConfigurationKeys spells it: a standard key
    under its 2.0.1 name (the OCA table), any other as V16Configuration.<key>."""
    standard = st.sampled_from(sorted(G.OCA_CONFIGURATION_KEYS))
    other = text(50).filter(lambda key: key not in G.OCA_CONFIGURATION_KEYS)

    def pair(key: str) -> "tuple[G.Component, G.Variable]":
        component, variable = DEFAULT_KEYS.to_pair(key)
        return G.Component(name=component), G.Variable(name=variable)

    return (standard | other).map(pair)


# ----------------------------------------------------------------- requests


def transaction_event(v: str) -> "st.SearchStrategy[G.TransactionEventRequest]":
    if is_16(v):
        started = st.builds(
            G.TransactionEventRequest,
            event_type=st.just("Started"),
            transaction_id=decimal_ids,
            timestamp=timestamps,
            evse=evse(v),
            id_token=id_token(v),
            meter_start=ints,
            reservation_id=opt(ints),
        )
        updated = st.builds(
            G.TransactionEventRequest,
            event_type=st.just("Updated"),
            transaction_id=decimal_ids,
            evse=evse(v),
            meter_value=meter_values(v),
        )
        ended = st.builds(
            G.TransactionEventRequest,
            event_type=st.just("Ended"),
            transaction_id=decimal_ids,
            timestamp=timestamps,
            id_token=opt(id_token(v)),
            meter_value=opt(meter_values(v, "TransactionSampledValue")),
            meter_stop=ints,
            stopped_reason=opt(enum(v, "StopTransactionRequest", "reason")),
        )
        return started | updated | ended
    return st.builds(
        G.TransactionEventRequest,
        event_type=enum(v, "TransactionEventRequest", "event_type"),
        transaction_id=text(36),
        timestamp=timestamps,
        trigger_reason=enum(v, "TransactionEventRequest", "trigger_reason"),
        seq_no=naturals,
        evse=opt(evse(v)),
        id_token=opt(id_token(v)),
        meter_value=opt(meter_values(v)),
        charging_state=opt(enum(v, "Transaction", "charging_state")),
        time_spent_charging=opt(ints),
        stopped_reason=opt(enum(v, "Transaction", "stopped_reason")),
        remote_start_id=opt(ints),
        offline=opt(st.booleans()),
        number_of_phases_used=opt(st.integers(0, 3)),
        cable_max_current=opt(ints),
        reservation_id=opt(naturals),
    )


def status_notification(v: str) -> "st.SearchStrategy[G.StatusNotificationRequest]":
    if not is_16(v):
        return st.builds(
            G.StatusNotificationRequest,
            evse_id=naturals,
            connector_id=naturals,
            connector_status=enum(v, "StatusNotificationRequest", "connector_status"),
            timestamp=timestamps,
        )

    def build(pair: "tuple[int, int]", status: str, error: str, extra: Any) -> Any:
        occupied = status in ("Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing")
        return G.StatusNotificationRequest(
            evse_id=pair[0],
            connector_id=pair[1],
            connector_status="Occupied" if occupied else status,
            v16_status=status if occupied else None,
            error_code=None if error == "NoError" else error,
            timestamp=extra[0],
            info=extra[1],
            vendor_id=extra[2],
            vendor_error_code=extra[3],
        )

    extras = st.tuples(opt(timestamps), opt(text(50)), opt(text(255)), opt(text(50)))
    return st.builds(
        build,
        connector16(),
        enum(v, "StatusNotificationRequest", "status"),
        enum(v, "StatusNotificationRequest", "error_code"),
        extras,
    )


def requests(v: str, operation: str) -> "st.SearchStrategy[Any]":
    v16 = is_16(v)
    if operation == "BootNotification":
        station = st.builds(
            G.ChargingStation,
            vendor_name=text(20 if v16 else 50),
            model=text(20),
            serial_number=opt(text(25)),
            firmware_version=opt(text(50)),
            modem=opt(
                st.builds(G.Modem, iccid=text(20), imsi=opt(text(20)))
                | st.builds(G.Modem, imsi=text(20))
            ),
        )
        if v16:
            return st.builds(
                G.BootNotificationRequest,
                charging_station=station,
                charge_box_serial_number=opt(text(25)),
                meter_type=opt(text(25)),
                meter_serial_number=opt(text(25)),
            )
        return st.builds(
            G.BootNotificationRequest,
            charging_station=station,
            reason=enum(v, "BootNotificationRequest", "reason"),
        )
    if operation in ("Heartbeat", "ClearCache"):
        return st.just(G.HeartbeatRequest() if operation == "Heartbeat" else G.ClearCacheRequest())
    if operation == "StatusNotification":
        return status_notification(v)
    if operation == "Authorize":
        cert = st.none() if v16 else opt(text(5500))
        return st.builds(G.AuthorizeRequest, id_token=id_token(v), certificate=cert)
    if operation == "TransactionEvent":
        return transaction_event(v)
    if operation == "MeterValues":
        evse_ids = st.integers(0, 50) if v16 else naturals
        return st.builds(G.MeterValuesRequest, evse_id=evse_ids, meter_value=meter_values(v))
    if operation == "DataTransfer":
        data = (
            text(100)
            if v16
            else (
                text(100) | ints | st.booleans() | st.dictionaries(text(10), text(10), max_size=3)
            )
        )
        return st.builds(
            G.DataTransferRequest,
            vendor_id=text(255),
            message_id=opt(text(50)),
            data=opt(data),
        )
    if operation == "RequestStartTransaction":
        import test_generic_support_2x

        profile = opt(test_generic_support_2x.charging_profiles(v))
        if v16:
            return st.builds(
                G.RequestStartTransactionRequest,
                id_token=id_token(v),
                evse_id=opt(st.integers(0, 50)),
                charging_profile=profile,
            )
        return st.builds(
            G.RequestStartTransactionRequest,
            id_token=id_token(v),
            evse_id=opt(st.integers(1, 2**31 - 1)),
            remote_start_id=ints,
            group_id_token=opt(id_token(v)),
            charging_profile=profile,
        )
    if operation == "RequestStopTransaction":
        return st.builds(
            G.RequestStopTransactionRequest, transaction_id=decimal_ids if v16 else text(36)
        )
    if operation == "Reset":
        if v16:
            return st.builds(
                G.ResetRequest, type=st.just("Immediate"), v16_type=st.sampled_from([None, "Hard"])
            )
        return st.builds(
            G.ResetRequest, type=enum(v, "ResetRequest", "type_"), evse_id=opt(naturals)
        )
    if operation == "ChangeAvailability":
        name = "ChangeAvailabilityRequest"
        field = "type_" if v16 else "operational_status"
        return st.builds(
            G.ChangeAvailabilityRequest, operational_status=enum(v, name, field), evse=opt(evse(v))
        )
    if operation == "UnlockConnector":
        pairs = connector16() if v16 else st.tuples(naturals, naturals)
        return pairs.map(lambda p: G.UnlockConnectorRequest(evse_id=p[0], connector_id=p[1]))
    if operation == "GetVariables":
        if v16:
            item = key_pair().map(lambda p: G.GetVariableData(component=p[0], variable=p[1]))
            return st.builds(G.GetVariablesRequest, get_variable_data=st.lists(item, max_size=3))
        item = st.builds(
            G.GetVariableData,
            component=component(v),
            variable=variable(),
            attribute_type=opt(enum(v, "GetVariableData", "attribute_type")),
        )
        return st.builds(
            G.GetVariablesRequest, get_variable_data=st.lists(item, min_size=1, max_size=3)
        )
    if operation == "SetVariables":
        if v16:
            item = st.builds(
                lambda p, value: G.SetVariableData(
                    component=p[0], variable=p[1], attribute_value=value
                ),
                key_pair(),
                text(500),
            )
            return st.builds(
                G.SetVariablesRequest, set_variable_data=st.lists(item, min_size=1, max_size=1)
            )
        item = st.builds(
            G.SetVariableData,
            component=component(v),
            variable=variable(),
            attribute_value=text(1000),
            attribute_type=opt(enum(v, "SetVariableData", "attribute_type")),
        )
        return st.builds(
            G.SetVariablesRequest, set_variable_data=st.lists(item, min_size=1, max_size=3)
        )
    if operation == "TriggerMessage":
        if v16:
            where = opt(connector16().map(lambda p: G.Evse(id=p[0], connector_id=p[1])))
            plain = st.builds(
                G.TriggerMessageRequest,
                requested_message=enum(v, "TriggerMessageRequest", "requested_message"),
                evse=where,
            )
            only = ("LogStatusNotification", "SignChargingStationCertificate")
            extended = st.builds(
                G.TriggerMessageRequest,
                requested_message=st.sampled_from(only),
                evse=where,
            ) | st.builds(
                G.TriggerMessageRequest,
                requested_message=enum(
                    v, "ExtendedTriggerMessageRequest", "requested_message"
                ).filter(
                    lambda m: m not in ("LogStatusNotification", "SignChargePointCertificate")
                ),
                evse=where,
                v16_extended=st.just(True),
            )
            return plain | extended
        return st.builds(
            G.TriggerMessageRequest,
            requested_message=enum(v, "TriggerMessageRequest", "requested_message"),
            evse=opt(evse(v)),
            custom_trigger=opt(text(50)) if v == V21 else st.none(),
        )
    if operation == "GetTransactionStatus":
        return st.builds(G.GetTransactionStatusRequest, transaction_id=opt(text(36)))
    if operation in G.OPERATIONS_2X:  # generated: drawn from the schemas
        import test_generic_support_2x

        return test_generic_support_2x.requests(v, operation)
    import test_generic_support_extra  # the operations of ocpp_core.generic.model_extra

    return test_generic_support_extra.requests(v, operation)


# ----------------------------------------------------------------- responses


def status_response(v: str, generic: type, native: str) -> "st.SearchStrategy[Any]":
    return st.builds(generic, status=enum(v, native, "status"), status_info=status_info(v))


def responses(v: str, operation: str, request: Any) -> "st.SearchStrategy[Any]":
    v16 = is_16(v)
    if operation == "BootNotification":
        return st.builds(
            G.BootNotificationResponse,
            status=enum(v, "BootNotificationResponse", "status"),
            current_time=timestamps,
            interval=ints,
            status_info=status_info(v),
        )
    if operation == "Heartbeat":
        return st.builds(G.HeartbeatResponse, current_time=timestamps)
    if operation == "StatusNotification":
        return st.just(G.StatusNotificationResponse())
    if operation == "MeterValues":
        return st.just(G.MeterValuesResponse())
    if operation == "Authorize":
        cert = st.none() if v16 else opt(enum(v, "AuthorizeResponse", "certificate_status"))
        return st.builds(
            G.AuthorizeResponse, id_token_info=id_token_info(v), certificate_status=cert
        )
    if operation == "TransactionEvent":
        if v16:
            if request.event_type == "Started":
                return st.builds(G.TransactionEventResponse, id_token_info=id_token_info(v))
            if request.event_type == "Ended":
                return st.builds(G.TransactionEventResponse, id_token_info=opt(id_token_info(v)))
            return st.just(G.TransactionEventResponse())
        return st.builds(
            G.TransactionEventResponse,
            id_token_info=opt(id_token_info(v)),
            total_cost=opt(floats),
            charging_priority=opt(st.integers(-9, 9)),
            updated_personal_message=opt(message_content(v)),
        )
    if operation == "DataTransfer":
        data = text(100) if v16 else (text(100) | ints | st.lists(ints, max_size=3))
        return st.builds(
            G.DataTransferResponse,
            status=enum(v, "DataTransferResponse", "status"),
            data=opt(data),
            status_info=status_info(v),
        )
    if operation == "RequestStartTransaction":
        native = "RemoteStartTransactionResponse" if v16 else "RequestStartTransactionResponse"
        return st.builds(
            G.RequestStartTransactionResponse,
            status=enum(v, native, "status"),
            transaction_id=st.none() if v16 else opt(text(36)),
            status_info=status_info(v),
        )
    if operation == "RequestStopTransaction":
        native = "RemoteStopTransactionResponse" if v16 else "RequestStopTransactionResponse"
        return status_response(v, G.RequestStopTransactionResponse, native)
    if operation == "Reset":
        return status_response(v, G.ResetResponse, "ResetResponse")
    if operation == "ChangeAvailability":
        return status_response(v, G.ChangeAvailabilityResponse, "ChangeAvailabilityResponse")
    if operation == "UnlockConnector":
        return status_response(v, G.UnlockConnectorResponse, "UnlockConnectorResponse")
    if operation == "TriggerMessage":
        return status_response(v, G.TriggerMessageResponse, "TriggerMessageResponse")
    if operation == "ClearCache":
        return status_response(v, G.ClearCacheResponse, "ClearCacheResponse")
    if operation == "GetVariables":
        if v16:
            known = st.builds(
                lambda p, readonly, value: G.GetVariableResult(
                    attribute_status="Accepted",
                    component=p[0],
                    variable=p[1],
                    attribute_value=value,
                    readonly=readonly,
                ),
                key_pair(),
                st.booleans(),
                opt(text(500)),
            )
            unknown = key_pair().map(
                lambda p: G.GetVariableResult(
                    attribute_status="UnknownVariable", component=p[0], variable=p[1]
                )
            )
            # 1.6 lists known keys first, then unknown ones.
            return st.builds(
                lambda a, b: G.GetVariablesResponse(get_variable_result=a + b),
                st.lists(known, max_size=3),
                st.lists(unknown, max_size=3),
            )
        item = st.builds(
            G.GetVariableResult,
            attribute_status=enum(v, "GetVariableResult", "attribute_status"),
            component=component(v),
            variable=variable(),
            attribute_type=opt(enum(v, "GetVariableResult", "attribute_type")),
            attribute_value=opt(text(2500)),
            attribute_status_info=status_info(v),
        )
        return st.builds(
            G.GetVariablesResponse, get_variable_result=st.lists(item, min_size=1, max_size=3)
        )
    if operation == "SetVariables":
        if v16:
            asked = request.set_variable_data[0]
            return st.sampled_from(
                ["Accepted", "Rejected", "RebootRequired", "UnknownVariable"]
            ).map(
                lambda status: G.SetVariablesResponse(
                    set_variable_result=[
                        G.SetVariableResult(
                            attribute_status=status,
                            component=asked.component,
                            variable=asked.variable,
                        )
                    ]
                )
            )
        item = st.builds(
            G.SetVariableResult,
            attribute_status=enum(v, "SetVariableResult", "attribute_status"),
            component=component(v),
            variable=variable(),
            attribute_type=opt(enum(v, "SetVariableResult", "attribute_type")),
            attribute_status_info=status_info(v),
        )
        return st.builds(
            G.SetVariablesResponse, set_variable_result=st.lists(item, min_size=1, max_size=3)
        )
    if operation == "GetTransactionStatus":
        return st.builds(
            G.GetTransactionStatusResponse,
            messages_in_queue=st.booleans(),
            ongoing_indicator=opt(st.booleans()),
        )
    if operation in G.OPERATIONS_2X:
        import test_generic_support_2x

        return test_generic_support_2x.responses(v, operation, request)
    import test_generic_support_extra

    return test_generic_support_extra.responses(v, operation, request)
