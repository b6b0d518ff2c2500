"""Generic <-> OCPP 1.6 charging profiles: SetChargingProfile, GetCompositeSchedule and
the profile of RemoteStartTransaction (a mixin of Mapper16).

The generic types are the 2.x ones (ocpp_core.generic.model_profiles). What differs:

- 1.6 `chargingProfileId` is `ChargingProfile.id`; a 1.6 profile has exactly one
  schedule (2.x: a list; more than one is refused) and no schedule id (ignored when
  mapping to 1.6, None when mapped from it).
- 1.6 `transactionId` (integer) <-> the generic string id, as for RemoteStop: the
  station side through `TransactionIds`, the CSMS side the decimal string.
- `connectorId` <-> `evse_id` through the ConnectorLayout.
- ChargePointMaxProfile <-> ChargingStationMaxProfile (TxDefaultProfile, TxProfile alike).
- Fields 2.x added (2.1 extras, sales tariffs, phase_to_use, ...) are refused when set.
- GetCompositeSchedule response: 1.6 `connectorId`, `scheduleStart`, `chargingSchedule`
  <-> `schedule` (CompositeSchedule): the schedule's `duration`, `chargingRateUnit` and
  periods become the composite's; its `startSchedule` / `minChargingRate` (no 2.x place)
  are kept in `v16_start_schedule` / `v16_min_charging_rate`.
"""

from typing import Any, Optional

import msgspec

from ocpp_core.generic import model_2x as p
from ocpp_core.generic import model_profiles as c
from ocpp_core.generic.mapping import Mapper, Wire, put
from ocpp_core.generic.passthrough import struct_in, struct_out
from ocpp_core.generic.state import ConnectorLayout, TransactionIds
from ocpp_core.generic.v16_extra import PURPOSE_FROM_16, PURPOSE_TO_16

# What a 1.6 profile has, in generic names (the rest of ChargingProfile is 2.x only).
_PROFILE_16 = frozenset(
    {
        "id",
        "stack_level",
        "charging_profile_purpose",
        "charging_profile_kind",
        "recurrency_kind",
        "valid_from",
        "valid_to",
        "transaction_id",
        "charging_schedule",
    }
)
# Nested schedule fields 1.6 has (wire names alike in 1.6 and 2.x).
_ONLY_16: "dict[type, frozenset[str]]" = {
    c.ChargingSchedule: frozenset(
        {
            "start_schedule",
            "duration",
            "charging_rate_unit",
            "charging_schedule_period",
            "min_charging_rate",
        }
    ),
    c.ChargingSchedulePeriod: frozenset({"start_period", "limit", "number_phases"}),
}


class ProfileMapping16(Mapper):
    PROFILE_ACTIONS: dict[str, tuple[str, ...]] = {
        "GetCompositeSchedule": ("GetCompositeSchedule",),
        "SetChargingProfile": ("SetChargingProfile",),
    }
    layout: ConnectorLayout
    transaction_ids: TransactionIds

    def _v16_transaction_id(self, operation: str, transaction_id: str) -> int:
        raise NotImplementedError  # Mapper16's

    # ------------------------------------------------------ the profile

    def _connector_of(self, operation: str, field: str, evse_id: int) -> int:
        number = self.layout.to_connector(evse_id, None)
        if number is None:
            raise self.refuse(operation, field, f"EVSE {evse_id!r} has no 1.6 connector")
        return number

    def profile_out16(self, operation: str, path: str, profile: c.ChargingProfile) -> Wire:
        for attr in profile.__struct_fields__:
            if attr not in _PROFILE_16 and getattr(profile, attr) is not None:
                raise self.refuse(operation, f"{path}.{attr}", "not in OCPP 1.6")
        schedules = profile.charging_schedule
        if len(schedules) != 1:
            raise self.refuse(
                operation,
                f"{path}.charging_schedule",
                f"OCPP 1.6 carries exactly one schedule, not {len(schedules)}",
            )
        # 1.6 schedules have no id: a 2.x one is ignored (it identifies the schedule
        # within its profile, which 1.6 identifies alone).
        schedule = msgspec.structs.replace(schedules[0], id=None)
        purpose = profile.charging_profile_purpose
        wire: Wire = {
            "chargingProfileId": profile.id,
            "stackLevel": profile.stack_level,
            "chargingProfilePurpose": PURPOSE_TO_16.get(purpose) or purpose,
            "chargingProfileKind": profile.charging_profile_kind,
            "chargingSchedule": struct_out(
                schedule, self.version, operation, f"{path}.charging_schedule[0]", _ONLY_16
            ),
        }
        if profile.transaction_id is not None:
            wire["transactionId"] = self._v16_transaction_id(operation, profile.transaction_id)
        put(wire, "recurrencyKind", profile.recurrency_kind)
        put(wire, "validFrom", profile.valid_from)
        put(wire, "validTo", profile.valid_to)
        return wire

    def profile_in16(self, wire: "Wire | None") -> Optional[c.ChargingProfile]:
        if wire is None:
            return None
        purpose = wire["chargingProfilePurpose"]
        number = wire.get("transactionId")
        transaction_id = None
        if number is not None:
            transaction_id = self.transaction_ids.generic_of(number) or str(number)
        return c.ChargingProfile(
            id=wire["chargingProfileId"],
            stack_level=wire["stackLevel"],
            charging_profile_purpose=PURPOSE_FROM_16.get(purpose) or purpose,
            charging_profile_kind=wire["chargingProfileKind"],
            charging_schedule=[struct_in(c.ChargingSchedule, wire["chargingSchedule"])],
            recurrency_kind=wire.get("recurrencyKind"),
            valid_from=wire.get("validFrom"),
            valid_to=wire.get("validTo"),
            transaction_id=transaction_id,
        )

    # ------------------------------------------------------ SetChargingProfile

    def _out_SetChargingProfile(self, request: p.SetChargingProfileRequest) -> "tuple[str, Wire]":
        op = "SetChargingProfile"
        return op, {
            "connectorId": self._connector_of(op, "evse_id", request.evse_id),
            "csChargingProfiles": self.profile_out16(
                op, "charging_profile", request.charging_profile
            ),
        }

    def _in_SetChargingProfile(self, wire: Wire) -> p.SetChargingProfileRequest:
        profile = self.profile_in16(wire["csChargingProfiles"])
        assert profile is not None
        return p.SetChargingProfileRequest(
            evse_id=self.layout.to_evse(wire["connectorId"])[0], charging_profile=profile
        )

    def _reply_out_SetChargingProfile(
        self, request: Any, response: p.SetChargingProfileResponse
    ) -> Wire:
        return {"status": response.status}  # status_info: 2.x only

    def _reply_in_SetChargingProfile(self, request: Any, wire: Wire) -> Any:
        return p.SetChargingProfileResponse(status=wire["status"])

    # ------------------------------------------------------ GetCompositeSchedule

    def _out_GetCompositeSchedule(
        self, request: p.GetCompositeScheduleRequest
    ) -> "tuple[str, Wire]":
        op = "GetCompositeSchedule"
        wire: Wire = {
            "connectorId": self._connector_of(op, "evse_id", request.evse_id),
            "duration": request.duration,
        }
        put(wire, "chargingRateUnit", request.charging_rate_unit)
        return op, wire

    def _in_GetCompositeSchedule(self, wire: Wire) -> p.GetCompositeScheduleRequest:
        return p.GetCompositeScheduleRequest(
            duration=wire["duration"],
            evse_id=self.layout.to_evse(wire["connectorId"])[0],
            charging_rate_unit=wire.get("chargingRateUnit"),
        )

    def _reply_out_GetCompositeSchedule(
        self, request: Any, response: p.GetCompositeScheduleResponse
    ) -> Wire:
        op = "GetCompositeSchedule"
        wire: Wire = {"status": response.status}  # status_info: 2.x only
        schedule = response.schedule
        if schedule is None:
            return wire
        if schedule.evse_id is not None:
            wire["connectorId"] = self._connector_of(op, "schedule.evse_id", schedule.evse_id)
        put(wire, "scheduleStart", schedule.schedule_start)
        inner: Wire = {}
        put(inner, "chargingRateUnit", schedule.charging_rate_unit)
        if schedule.charging_schedule_period is not None:
            inner["chargingSchedulePeriod"] = [
                struct_out(
                    period,
                    self.version,
                    op,
                    f"schedule.charging_schedule_period[{index}]",
                    _ONLY_16,
                )
                for index, period in enumerate(schedule.charging_schedule_period)
            ]
        put(inner, "duration", schedule.duration)
        put(inner, "startSchedule", schedule.v16_start_schedule)
        put(inner, "minChargingRate", schedule.v16_min_charging_rate)
        if inner:  # a partial one fails the 1.6 schema (NotRepresentable names the field)
            wire["chargingSchedule"] = inner
        return wire

    def _reply_in_GetCompositeSchedule(self, request: Any, wire: Wire) -> Any:
        connector = wire.get("connectorId")
        inner = wire.get("chargingSchedule")
        schedule = None
        if connector is not None or "scheduleStart" in wire or inner is not None:
            inner = inner or {}
            periods = inner.get("chargingSchedulePeriod")
            schedule = c.CompositeSchedule(
                evse_id=None if connector is None else self.layout.to_evse(connector)[0],
                schedule_start=wire.get("scheduleStart"),
                duration=inner.get("duration"),
                charging_rate_unit=inner.get("chargingRateUnit"),
                charging_schedule_period=None
                if periods is None
                else [struct_in(c.ChargingSchedulePeriod, period) for period in periods],
                v16_start_schedule=inner.get("startSchedule"),
                v16_min_charging_rate=inner.get("minChargingRate"),
            )
        return p.GetCompositeScheduleResponse(status=wire["status"], schedule=schedule)
