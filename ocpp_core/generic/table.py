"""The operation x version table, generated from the mappers' own registries.

`operation_rows()` gives, for every generic operation (and every operation planned
for the generic model: the ones present in at least two versions), how each version
carries it: "native" (same action), "mapped" (other actions, listed) or "not
available". docs/generic.md embeds `render_markdown()`; a test keeps the two equal.
"""

from ocpp_core.generic.mapping import OPERATIONS, Mapper
from ocpp_core.generic.v2x import Mapper21, Mapper201
from ocpp_core.generic.v16 import Mapper16
from ocpp_core.v16 import schema as v16_schema
from ocpp_core.v21 import schema as v21_schema
from ocpp_core.v201 import schema as v201_schema
from ocpp_core.versions import V16, V21, V201

NATIVE = "native"
MAPPED = "mapped"
NOT_AVAILABLE = "not available"

MAPPERS: "tuple[tuple[str, type[Mapper]], ...]" = (
    (V16, Mapper16),
    (V201, Mapper201),
    (V21, Mapper21),
)
_SCHEMAS = {V16: v16_schema.ACTIONS, V201: v201_schema.ACTIONS, V21: v21_schema.ACTIONS}

# How 1.6 will carry operations not in the generic model yet (the plan; a later
# session moves each one into a mapper, where the table then reads it from).
PLANNED_V16: "dict[str, tuple[str, ...]]" = {}


def _cell(operation: str, actions: "tuple[str, ...]") -> "tuple[str, tuple[str, ...]]":
    if not actions:
        return NOT_AVAILABLE, ()
    if actions == (operation,):
        return NATIVE, actions
    return MAPPED, actions


def _planned_actions(operation: str, version: str) -> "tuple[str, ...]":
    if version == V16 and operation in PLANNED_V16:
        return PLANNED_V16[operation]
    return (operation,) if operation in _SCHEMAS[version] else ()


def operation_rows() -> "list[tuple[str, str, bool, list[tuple[str, tuple[str, ...]]]]]":
    """(operation, sender, in the generic model now, [(kind, actions) per version])."""
    names = set(OPERATIONS)
    for registry in (v201_schema.ACTIONS, v21_schema.ACTIONS):
        for name in registry:
            present = sum(1 for version in _SCHEMAS if name in _SCHEMAS[version])
            if present >= 2:
                names.add(name)
    rows = []
    for name in sorted(names):
        implemented = name in OPERATIONS
        cells = []
        for version, mapper in MAPPERS:
            if implemented:
                actions = mapper.ACTIONS.get(name, ())
            else:
                actions = _planned_actions(name, version)
            cells.append(_cell(name, actions))
        sender = v21_schema.ACTIONS[name][0] if name in v21_schema.ACTIONS else "?"
        rows.append((name, sender, implemented, cells))
    return rows


def render_markdown() -> str:
    """The table as Markdown (what docs/generic.md embeds between its markers)."""
    lines = [
        "| Operation | Sender | 1.6 | 2.0.1 | 2.1 | Generic model |",
        "|---|---|---|---|---|---|",
    ]
    for name, sender, implemented, cells in operation_rows():
        texts = []
        for kind, actions in cells:
            if kind == MAPPED:
                texts.append("mapped: " + ", ".join(actions))
            else:
                texts.append(kind)
        lines.append(
            f"| {name} | {sender} | {texts[0]} | {texts[1]} | {texts[2]} | "
            + ("yes |" if implemented else "planned |")
        )
    return "\n".join(lines) + "\n"
