"""Names: snake_case attributes, class names, enum members."""

import builtins
import keyword
import re

# Python names a wire name must not become as-is: keywords, soft keywords, builtins.
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))

_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?=[A-Z0-9_]|$)")  # prioritizedEMAIDs
_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")  # DERControl -> DER_Control
_LOWER_UPPER = re.compile(r"([a-z])([A-Z])")  # evseId -> evse_Id
_DIGIT_WORD = re.compile(r"([0-9])([A-Z][a-z])")  # iso15118Certificate -> iso15118_Certificate
_LOWER_DIGIT_UPPER = re.compile(r"([a-z][0-9]+)([A-Z])")  # Level1DC -> Level1_DC


def snake(wire: str) -> str:
    """camelCase wire name -> snake_case attribute name.

    Rules, in order: a run of 2+ capitals followed by a plural "s" is one word
    (EMAIDs -> Emaids); an acronym ends before the capital that starts the next word
    (DERControl -> DER_Control, V2XCharging -> V2X_Charging); lower->upper is a word
    break; digit->Capitalized word is a break; lower+digits->capital is a break
    (evDurationLevel1DCInjection -> ev_duration_level1_dc_injection), but capital+digit
    ->capital is not (evMaxV2XEnergyRequest -> ev_max_v2x_energy_request); "SoC" is one word; existing
    underscores stay (limit_L2 -> limit_l2).  Keywords and builtins get a trailing "_".
    """
    s = wire.replace("SoC", "Soc")
    s = _PLURAL_ACRONYM.sub(lambda m: m.group(1)[0] + m.group(1)[1:].lower() + "s", s)
    s = _ACRONYM_WORD.sub(r"\1_\2", s)
    s = _LOWER_UPPER.sub(r"\1_\2", s)
    s = _DIGIT_WORD.sub(r"\1_\2", s)
    s = _LOWER_DIGIT_UPPER.sub(r"\1_\2", s)
    s = s.lower()
    if not s.isidentifier():
        raise ValueError(f"cannot make an identifier of {wire!r}")
    if s in _RESERVED:
        s += "_"
    return s


def class_name(def_name: str) -> str:
    """2.x / 1.6-security definition name -> class name: drop EnumType / Type."""
    for suffix in ("EnumType", "Type"):
        if def_name.endswith(suffix) and len(def_name) > len(suffix):
            return def_name[: -len(suffix)]
    return def_name


_ENUM_RESERVED = frozenset({"name", "value", "mro"}) | frozenset(keyword.kwlist)


def enum_member(value: str) -> str:
    """Enum value -> member name: the value itself, with "." and "-" turned into "_"."""
    s = re.sub(r"[^A-Za-z0-9_]", "_", value)
    if s[:1].isdigit():
        s = "_" + s
    if s in _ENUM_RESERVED or s.startswith("__") or hasattr(str, s):
        s += "_"
    if not s.isidentifier():
        raise ValueError(f"cannot make an enum member of {value!r}")
    return s
