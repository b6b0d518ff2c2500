"""OCPP 1.6 configuration keys <-> generic device-model variables.

GetConfiguration <-> GetVariables and ChangeConfiguration <-> SetVariables, one 1.6 key
per (component, variable) through ConfigurationKeys (ocpp_core.generic.state). What
1.6 cannot say (instances, EVSE-level components, non-Actual attributes, several keys
in one ChangeConfiguration) raises NotRepresentable.
"""

from typing import Any, Optional

from ocpp_core.generic import model as g
from ocpp_core.generic.mapping import Mapper, Wire, put
from ocpp_core.generic.state import ConfigurationKeys

_SET_STATUS_TO_16 = {
    "Accepted": "Accepted",
    "Rejected": "Rejected",
    "RebootRequired": "RebootRequired",
    "UnknownVariable": "NotSupported",
    "UnknownComponent": "NotSupported",
}
_SET_STATUS_FROM_16 = {"NotSupported": "UnknownVariable"}


class ConfigurationMapping16(Mapper):
    """The configuration part of Mapper16."""

    configuration_keys: ConfigurationKeys

    def _key(self, operation: str, component: g.Component, variable: g.Variable) -> str:
        if component.instance is not None or component.evse is not None:
            raise self.refuse(operation, "component", "1.6 keys have no instance or EVSE")
        if variable.instance is not None:
            raise self.refuse(operation, "variable.instance", "1.6 keys have no instance")
        key = self.configuration_keys.to_key(component.name, variable.name)
        if key is None:
            raise self.refuse(
                operation,
                "component",
                f"{component.name}.{variable.name} has no 1.6 configuration key",
            )
        return key

    def _pair(self, key: str) -> "tuple[g.Component, g.Variable]":
        component, variable = self.configuration_keys.to_pair(key)
        return g.Component(name=component), g.Variable(name=variable)

    def _actual_only(self, operation: str, attribute_type: Optional[str]) -> None:
        if attribute_type not in (None, "Actual"):
            raise self.refuse(operation, "attribute_type", "1.6 keys have the Actual value only")

    def _out_GetVariables(self, request: g.GetVariablesRequest) -> "tuple[str, Wire]":
        op = "GetVariables"
        keys = []
        for item in request.get_variable_data:
            self._actual_only(op, item.attribute_type)
            keys.append(self._key(op, item.component, item.variable))
        # An empty list asks for every key: 1.6 says so by leaving `key` out.
        return "GetConfiguration", {"key": keys} if keys else {}

    def _in_GetConfiguration(self, wire: Wire) -> g.GetVariablesRequest:
        data = []
        for key in wire.get("key") or ():
            component, variable = self._pair(key)
            data.append(g.GetVariableData(component=component, variable=variable))
        return g.GetVariablesRequest(get_variable_data=data)

    def _reply_out_GetConfiguration(self, request: Any, response: g.GetVariablesResponse) -> Wire:
        op = "GetVariables"
        known: list[Wire] = []
        unknown: list[str] = []
        for item in response.get_variable_result:
            self._actual_only(op, item.attribute_type)
            key = self._key(op, item.component, item.variable)
            if item.attribute_status == "Accepted":
                entry: Wire = {
                    "key": key,
                    "readonly": self.required(op, "readonly", item.readonly),
                }
                put(entry, "value", item.attribute_value)
                known.append(entry)
            elif item.attribute_status in ("UnknownVariable", "UnknownComponent"):
                unknown.append(key)
            else:
                raise self.refuse(op, "attribute_status", repr(item.attribute_status))
        wire: Wire = {}
        if known:
            wire["configurationKey"] = known
        if unknown:
            wire["unknownKey"] = unknown
        return wire

    def _reply_in_GetConfiguration(self, request: Any, wire: Wire) -> g.GenericStruct:
        results = []
        for entry in wire.get("configurationKey") or ():
            component, variable = self._pair(entry["key"])
            results.append(
                g.GetVariableResult(
                    attribute_status="Accepted",
                    component=component,
                    variable=variable,
                    attribute_value=entry.get("value"),
                    readonly=entry["readonly"],
                )
            )
        for key in wire.get("unknownKey") or ():
            component, variable = self._pair(key)
            results.append(
                g.GetVariableResult(
                    attribute_status="UnknownVariable", component=component, variable=variable
                )
            )
        return g.GetVariablesResponse(get_variable_result=results)

    def _out_SetVariables(self, request: g.SetVariablesRequest) -> "tuple[str, Wire]":
        op = "SetVariables"
        if len(request.set_variable_data) != 1:
            raise self.refuse(op, "set_variable_data", "1.6 ChangeConfiguration sets one key")
        item = request.set_variable_data[0]
        self._actual_only(op, item.attribute_type)
        key = self._key(op, item.component, item.variable)
        return "ChangeConfiguration", {"key": key, "value": item.attribute_value}

    def _in_ChangeConfiguration(self, wire: Wire) -> g.SetVariablesRequest:
        component, variable = self._pair(wire["key"])
        return g.SetVariablesRequest(
            set_variable_data=[
                g.SetVariableData(
                    component=component, variable=variable, attribute_value=wire["value"]
                )
            ]
        )

    def _reply_out_ChangeConfiguration(
        self, request: Any, response: g.SetVariablesResponse
    ) -> Wire:
        op = "SetVariables"
        if len(response.set_variable_result) != 1:
            raise self.refuse(op, "set_variable_result", "1.6 answers for one key")
        status = _SET_STATUS_TO_16.get(response.set_variable_result[0].attribute_status)
        if status is None:
            raise self.refuse(
                op, "attribute_status", repr(response.set_variable_result[0].attribute_status)
            )
        return {"status": status}

    def _reply_in_ChangeConfiguration(
        self, request: g.SetVariablesRequest, wire: Wire
    ) -> g.GenericStruct:
        asked = request.set_variable_data[0]
        status: str = _SET_STATUS_FROM_16.get(wire["status"]) or wire["status"]
        return g.SetVariablesResponse(
            set_variable_result=[
                g.SetVariableResult(
                    attribute_status=status, component=asked.component, variable=asked.variable
                )
            ]
        )
