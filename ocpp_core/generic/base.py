"""The base of every generic type (its own module so that the generated
`model_profiles` and the hand-written `model` can both build on it without a cycle)."""

import typing

import msgspec

Native = typing.Any  # a typed message of ocpp_core.v16 / v201 / v21, or None


class GenericStruct(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every generic type."""
