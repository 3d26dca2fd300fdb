"""Reading a flow definition: the original builder's JSON (v1) or ours (v2) → `FlowGraph`.

`normalize_definition` returns what is stored: the same JSON with `"version": 2`, unknown keys
kept (React Flow's `selected`, `width`, `markerEnd`, ...), the original single trigger `keyword`
mirrored into `keywords`, and original JavaScript conditions replaced by their CEL translation
(the JavaScript stays in `data.originalExpression`). Normalising twice changes nothing.

`FlowGraph` is the immutable, indexed view the engine and the validator work on. Parsing is
lenient on purpose: a node whose `data` does not fit its type keeps its errors (`Node.problems`)
instead of failing the whole graph, so the validator can report all of them and the engine
can stop the one session that reaches it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from finnegans.flows.engine_types import Inbound
from finnegans.flows.expressions import ExpressionError, translate_js
from finnegans.flows.matching import (
    TriggerMatch,
    TriggerSpec,
    default_trigger,
    match_triggers,
)
from finnegans.flows.nodes import DATA_MODELS, NodeData, TriggerData, handles_of

MAX_NODES = 500
CURRENT_VERSION = 2


class DefinitionError(ValueError):
    """The definition as a whole is unusable (not JSON, not an object, too many nodes)."""


def load_raw(raw: Mapping[str, Any] | str | bytes | None) -> dict[str, Any]:
    """The definition as a dict; a JSON string is accepted (the original API allowed it)."""
    if raw is None:
        return {"nodes": [], "edges": []}
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        if not raw.strip():
            return {"nodes": [], "edges": []}
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise DefinitionError(f"the definition is not valid JSON ({exc})") from None
    if not isinstance(raw, Mapping):
        raise DefinitionError("the definition must be a JSON object with nodes and edges")
    return dict(raw)


def definition_version(raw: Mapping[str, Any]) -> int:
    version = raw.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return value if math.isfinite(value) else 0
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return 0
        return number if math.isfinite(number) else 0
    return 0


def _normalize_node(node: dict[str, Any], version: int) -> None:
    position = node.get("position")
    position = dict(position) if isinstance(position, Mapping) else {}
    position["x"] = _number(position.get("x"))
    position["y"] = _number(position.get("y"))
    node["position"] = position
    data = node.get("data")
    data = dict(data) if isinstance(data, Mapping) else {}
    node["data"] = data
    kind = node.get("type")
    if kind == "trigger" and "keywords" not in data:
        keyword = data.get("keyword")
        data["keywords"] = [str(keyword)] if keyword not in (None, "") else []
    if kind == "condition" and version < CURRENT_VERSION:
        expression = data.get("expression")
        if isinstance(expression, str) and expression.strip():
            data["originalExpression"] = expression
            # Untranslatable JavaScript is kept as written: the validator reports it (an error
            # naming the node) and the engine refuses to evaluate it. It is never executed.
            with contextlib.suppress(ExpressionError):
                data["expression"] = translate_js(expression)


def normalize_definition(raw: Mapping[str, Any] | str | bytes | None) -> dict[str, Any]:
    """The JSON to store (see the module docstring). Raises `DefinitionError` on bad JSON."""
    definition = copy.deepcopy(load_raw(raw))
    version = definition_version(definition)
    nodes = definition.get("nodes")
    if nodes is None:
        nodes = []
    if not isinstance(nodes, list):
        raise DefinitionError("`nodes` must be a list")
    edges = definition.get("edges")
    if edges is None:
        edges = []
    if not isinstance(edges, list):
        raise DefinitionError("`edges` must be a list")
    for node in nodes:
        if isinstance(node, dict):
            _normalize_node(node, version)
    definition["nodes"] = nodes
    definition["edges"] = edges
    definition["version"] = CURRENT_VERSION
    return definition


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    data: NodeData | None  # None when `data` does not fit the type (see `problems`)
    raw_data: Mapping[str, Any]
    problems: tuple[tuple[str, str], ...] = ()  # (field path, message) from the data model
    index: int = 0  # position in the definition's node list

    @property
    def known_type(self) -> bool:
        return self.type in DATA_MODELS


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    handle: str | None  # sourceHandle; None is the default exit
    index: int = 0


def field_path(location: tuple[int | str, ...]) -> str:
    """Pydantic's ("sections", 0, "rows", 2, "title") → "sections[0].rows[2].title"."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _parse_data(
    kind: str, data: Mapping[str, Any]
) -> tuple[NodeData | None, tuple[tuple[str, str], ...]]:
    model = DATA_MODELS.get(kind)
    if model is None:
        return None, (("type", f"unknown node type {kind!r}"),)
    try:
        return model.model_validate(dict(data)), ()
    except ValidationError as exc:
        problems = tuple(
            (field_path(tuple(error["loc"])), error["msg"])
            for error in exc.errors(include_url=False)
        )
        return None, problems


def _handle(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


@dataclass(frozen=True)
class FlowGraph:
    version: int
    nodes: Mapping[str, Node]
    edges: tuple[Edge, ...]
    _outgoing: Mapping[str, tuple[Edge, ...]] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | str | bytes | None) -> FlowGraph:
        return parse_definition(raw)

    def node(self, node_id: str | None) -> Node | None:
        return self.nodes.get(node_id) if node_id is not None else None

    def edges_from(self, node_id: str) -> tuple[Edge, ...]:
        return self._outgoing.get(node_id, ())

    def exits(self, node_id: str) -> dict[str | None, str]:
        """handle → target: the first edge in definition order for each handle (original)."""
        exits: dict[str | None, str] = {}
        for edge in self.edges_from(node_id):
            exits.setdefault(edge.handle, edge.target)
        return exits

    def handles(self, node_id: str) -> tuple[str | None, ...]:
        node = self.node(node_id)
        if node is None:
            return ()
        return handles_of(node.type, node.data, node.raw_data)

    def triggers(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.type == "trigger"]

    def trigger_specs(self) -> list[TriggerSpec]:
        specs = []
        for node in self.triggers():
            if isinstance(node.data, TriggerData):
                data = node.data
                specs.append(TriggerSpec(node.id, data.all_keywords(), data.match, data.pattern))
        return specs

    def match_trigger(self, inbound: Inbound) -> TriggerMatch | None:
        """The trigger node this message starts (never the `default` one), with its score."""
        return match_triggers(
            self.trigger_specs(),
            inbound.text,
            reply_id=inbound.reply_id,
            reply_title=inbound.reply_title,
        )

    def default_trigger_id(self) -> str | None:
        """The `default`-keyword trigger, else the first trigger (API starts, start_flow)."""
        specs = self.trigger_specs()
        found = default_trigger(specs)
        if found is not None:
            return found
        triggers = self.triggers()
        return triggers[0].id if triggers else None


def parse_definition(raw: Mapping[str, Any] | str | bytes | None) -> FlowGraph:
    """Build the graph. Nodes without a usable id and edges without endpoints are skipped, a
    repeated node id keeps its first node (the validator reports all three)."""
    source = load_raw(raw)
    version = definition_version(source)
    definition = normalize_definition(source)
    raw_nodes: list[Any] = definition["nodes"]
    if len(raw_nodes) > MAX_NODES:
        raise DefinitionError(f"at most {MAX_NODES} nodes (got {len(raw_nodes)})")
    nodes: dict[str, Node] = {}
    for index, raw_node in enumerate(raw_nodes):
        if not isinstance(raw_node, dict):
            continue
        node_id, kind = raw_node.get("id"), raw_node.get("type")
        if not isinstance(node_id, str) or not node_id or node_id in nodes:
            continue
        kind = kind if isinstance(kind, str) else ""
        data = raw_node["data"]
        model, problems = _parse_data(kind, data)
        nodes[node_id] = Node(node_id, kind, model, MappingProxyType(data), problems, index)
    edges: list[Edge] = []
    outgoing: dict[str, list[Edge]] = {}
    for index, raw_edge in enumerate(definition["edges"]):
        if not isinstance(raw_edge, Mapping):
            continue
        source_id, target = raw_edge.get("source"), raw_edge.get("target")
        if not isinstance(source_id, str) or not isinstance(target, str):
            continue
        edge_id = raw_edge.get("id")
        edge = Edge(
            id=edge_id if isinstance(edge_id, str) and edge_id else f"e{index}",
            source=source_id,
            target=target,
            handle=_handle(raw_edge.get("sourceHandle")),
            index=index,
        )
        edges.append(edge)
        outgoing.setdefault(source_id, []).append(edge)
    return FlowGraph(
        version=version,
        nodes=MappingProxyType(nodes),
        edges=tuple(edges),
        _outgoing=MappingProxyType({k: tuple(v) for k, v in outgoing.items()}),
    )
