"""Checking a definition before it is saved or published (docs/flows.md §1 and §2).

Three severities: `error` blocks saving (the definition is wrong: unknown node type, a Meta
limit broken, a condition that is not CEL, an edge to nowhere); `incomplete` blocks publishing
but not saving a draft (nothing connected yet, an empty text, a loop that never waits);
`warning` never blocks (unreachable nodes, ignored extra edges, a keyword another active flow
uses). Every problem names the node and the field.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Set
from types import MappingProxyType
from typing import Any

from finnegans.flows.definition import (
    MAX_NODES,
    DefinitionError,
    FlowGraph,
    Node,
    load_raw,
    parse_definition,
)
from finnegans.flows.matching import DEFAULT_KEYWORD, fold
from finnegans.flows.nodes import (
    DATA_MODELS,
    TERMINAL_TYPES,
    WAITING_TYPES,
    GotoData,
    ListData,
    StartFlowData,
    TriggerData,
    handles_of,
    required_handles,
    single_exit,
)
from finnegans.flows.validation_nodes import Checks, Problem, Severity, check_node_fields

__all__ = ["Problem", "Severity", "validate_definition"]

_NO_KEYWORDS: Mapping[str, str] = MappingProxyType({})
_RANK = {"error": 0, "incomplete": 1, "warning": 2}


def validate_definition(
    raw: Mapping[str, Any] | str | bytes | None,
    *,
    other_active_keywords: Mapping[str, str] = _NO_KEYWORDS,
    known_flow_ids: Set[str] | None = None,
) -> list[Problem]:
    """All problems of a definition (v1 or v2), errors first.

    `other_active_keywords` maps a folded trigger keyword to the name of another active flow
    that uses it; `known_flow_ids`, when given, are the flows a `start_flow` may start.
    """
    top = Checks(None)
    try:
        source = load_raw(raw)
        problems = _envelope(source, top)
        if any(p.severity == "error" and p.field == "nodes" for p in problems):
            return problems
        graph = parse_definition(source)
    except DefinitionError as exc:
        top.error(None, str(exc))
        return top.problems
    for node in graph.nodes.values():
        problems.extend(check_node_fields(node))
    problems.extend(_edges(graph))
    problems.extend(_node_links(graph, known_flow_ids))
    problems.extend(_triggers(graph, other_active_keywords))
    problems.extend(_loops_without_wait(graph))
    problems.extend(_unreachable(graph))
    return sorted(problems, key=lambda p: _RANK[p.severity])


def _envelope(source: Mapping[str, Any], top: Checks) -> list[Problem]:
    """The list shapes, node ids and types; what the graph parser silently skips."""
    nodes, edges = source.get("nodes") or [], source.get("edges") or []
    if not isinstance(nodes, list):
        top.error("nodes", "must be a list")
        return top.problems
    if len(nodes) > MAX_NODES:
        top.error("nodes", f"at most {MAX_NODES} nodes (got {len(nodes)})")
        return top.problems
    if not isinstance(edges, list):
        top.error("edges", "must be a list")
    seen: set[str] = set()
    for index, raw in enumerate(nodes):
        if not isinstance(raw, dict):
            top.error(f"nodes[{index}]", "a node must be an object")
            continue
        node_id, kind = raw.get("id"), raw.get("type")
        if not isinstance(node_id, str) or not node_id.strip():
            top.error(f"nodes[{index}].id", "every node needs an id")
            continue
        c = Checks(node_id)
        if node_id in seen:
            c.error("id", f"the id {node_id!r} is used by more than one node")
        seen.add(node_id)
        if kind not in DATA_MODELS:
            c.error("type", f"unknown node type {kind!r}")
        data = raw.get("data")
        if data is not None and not isinstance(data, dict):
            c.error("data", "must be an object")
        top.problems.extend(c.problems)
    for index, raw in enumerate(edges if isinstance(edges, list) else []):
        where = f"edges[{index}]"
        if not isinstance(raw, dict):
            top.error(where, "an edge must be an object")
            continue
        for end in ("source", "target"):
            if not isinstance(raw.get(end), str) or not raw.get(end):
                owner = raw.get("source") if isinstance(raw.get("source"), str) else None
                top.problems.append(
                    Problem(owner, f"{where}.{end}", f"the edge has no {end} node", "error")
                )
    return top.problems


def _handle_field(graph: FlowGraph, node: Node, handle: str | None) -> str:
    """Where an exit is edited: `options[3]`, `sections[0].rows[2]`, else `exits.<handle>`."""
    if handle is not None and handle.startswith("opt-") and handle[4:].isdigit():
        index = int(handle[4:])
        if node.type == "options":
            return f"options[{index}]"
        if isinstance(node.data, ListData):
            for s_index, section in enumerate(node.data.sections):
                if index < len(section.rows):
                    return f"sections[{s_index}].rows[{index}]"
                index -= len(section.rows)
    return f"exits.{handle or 'default'}"


def _edges(graph: FlowGraph) -> list[Problem]:
    problems: list[Problem] = []
    for edge in graph.edges:
        where = f"edges[{edge.index}]"
        source = graph.node(edge.source)
        if source is None:
            problems.append(
                Problem(
                    edge.source,
                    f"{where}.source",
                    f"edge {edge.id} starts at node {edge.source!r}, which does not exist",
                    "error",
                )
            )
            continue
        if graph.node(edge.target) is None:
            problems.append(
                Problem(
                    source.id,
                    f"{where}.target",
                    f"edge {edge.id} leads to node {edge.target!r}, which does not exist",
                    "error",
                )
            )
        if not source.known_type:
            continue
        handles = handles_of(source.type, source.data, source.raw_data)
        if edge.handle in handles:
            continue
        if source.type == "goto" and edge.handle is None:
            # The original builder drew an (unused) exit on goto nodes; keep importing those.
            problems.append(
                Problem(source.id, f"{where}.sourceHandle", "ignored: a goto jumps", "warning")
            )
            continue
        names = ", ".join(h or "default" for h in handles) or "none"
        problems.append(
            Problem(
                source.id,
                f"{where}.sourceHandle",
                f"the node has no exit {edge.handle or 'default'!r} (its exits: {names})",
                "error",
            )
        )
    return problems


def _node_links(graph: FlowGraph, known_flow_ids: Set[str] | None) -> list[Problem]:
    """Exits that must be connected, extra edges, goto and start_flow targets."""
    problems: list[Problem] = []
    for node in graph.nodes.values():
        c = Checks(node.id)
        if node.known_type:
            _exits(graph, node, c)
        if isinstance(node.data, GotoData):
            target = node.data.targetNodeId.strip()
            if not target:
                c.incomplete("targetNodeId", "choose the node to go to")
            elif target == node.id:
                c.error("targetNodeId", "a goto cannot jump to itself")
            elif graph.node(target) is None:
                c.error("targetNodeId", f"node {target!r} does not exist")
        if isinstance(node.data, StartFlowData):
            flow_id = node.data.flowId.strip()
            if not flow_id:
                c.incomplete("flowId", "choose the flow to start")
            elif known_flow_ids is not None and flow_id not in known_flow_ids:
                c.error("flowId", f"flow {flow_id!r} does not exist in this workspace")
        problems.extend(c.problems)
    return problems


def _exits(graph: FlowGraph, node: Node, c: Checks) -> None:
    edges = graph.edges_from(node.id)
    connected = {e.handle for e in edges if graph.node(e.target) is not None}
    required = required_handles(node.type, node.data, node.raw_data)
    missing = [handle for handle in required if handle not in connected]
    if required and len(missing) == len(required):
        c.incomplete("exits", "none of this node's exits is connected")
    else:
        # One unconnected branch is legitimate (the original's default flow has them): taking
        # it ends the session cleanly, so it is worth a warning, not a refusal.
        for handle in missing:
            label = handle or "default"
            c.warning(
                _handle_field(graph, node, handle),
                f"the {label!r} exit is not connected: taking it ends the session",
            )
    if not edges and not required and node.type not in TERMINAL_TYPES | {"handoff"}:
        c.warning("exits", "nothing follows this node: the session ends after it")
    counts: dict[str | None, int] = {}
    for edge in edges:
        counts[edge.handle] = counts.get(edge.handle, 0) + 1
    for handle, count in counts.items():
        if count > 1 and node.type not in TERMINAL_TYPES:
            first = graph.exits(node.id)[handle]
            what = "this node" if single_exit(node.type) else f"the {handle or 'default'!r} exit"
            c.warning(
                _handle_field(graph, node, handle),
                f"{count} edges leave {what}; only the first (to {first}) is followed",
            )


def _triggers(graph: FlowGraph, others: Mapping[str, str]) -> list[Problem]:
    triggers = graph.triggers()
    if not triggers:
        return [Problem(None, "nodes", "the flow has no trigger node", "incomplete")]
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for node in triggers:
        if not isinstance(node.data, TriggerData) or node.data.match == "regex":
            continue
        c = Checks(node.id)
        listed = bool(node.data.keywords)
        for index, keyword in enumerate(node.data.all_keywords()):
            folded = fold(keyword)
            where = f"keywords[{index}]" if listed else "keyword"
            if not folded or folded == DEFAULT_KEYWORD:
                continue
            if folded in others:
                c.warning(where, f"{keyword!r} also starts the active flow {others[folded]!r}")
            if folded in seen and seen[folded] != node.id:
                c.warning(where, f"{keyword!r} is also a keyword of trigger {seen[folded]}")
            seen.setdefault(folded, node.id)
        problems.extend(c.problems)
    return problems


def _successors(graph: FlowGraph, node: Node) -> list[str]:
    """Where a run can go next from `node` (a goto only jumps; its edges are ignored)."""
    if node.type == "goto":
        target = node.data.targetNodeId.strip() if isinstance(node.data, GotoData) else ""
        return [target] if graph.node(target) is not None else []
    return [e.target for e in graph.edges_from(node.id) if graph.node(e.target) is not None]


def _loops_without_wait(graph: FlowGraph) -> list[Problem]:
    """Cycles made only of nodes that do not wait: each run would spin until a guard stops it.

    Strongly connected components (Tarjan) of the graph without its waiting nodes; any
    component with two or more nodes, or a node that leads to itself, is such a cycle.
    """
    nodes = [n for n in graph.nodes.values() if n.type not in WAITING_TYPES]
    inside = {n.id for n in nodes}
    succ = {n.id: [t for t in _successors(graph, n) if t in inside] for n in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in succ:
        if root in index:
            continue
        # Iterative Tarjan: (node, next successor position) frames instead of recursion.
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            vertex, position = work.pop()
            if position == 0:
                index[vertex] = low[vertex] = counter
                counter += 1
                stack.append(vertex)
                on_stack.add(vertex)
            targets = succ[vertex]
            if position < len(targets):
                work.append((vertex, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[vertex] = min(low[vertex], index[target])
                continue
            if low[vertex] == index[vertex]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == vertex:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[vertex])
    problems: list[Problem] = []
    for component in components:
        if len(component) == 1 and component[0] not in succ[component[0]]:
            continue
        ordered = sorted(component, key=lambda n: graph.nodes[n].index)
        problems.append(
            Problem(
                ordered[0],
                "exits",
                "these nodes form a loop in which no node waits for the contact: "
                + " → ".join(ordered),
                "incomplete",
            )
        )
    return problems


def _unreachable(graph: FlowGraph) -> list[Problem]:
    triggers = graph.triggers()
    if not triggers:
        return []
    reached = {t.id for t in triggers}
    queue = deque(reached)
    while queue:
        node = graph.nodes[queue.popleft()]
        for target in _successors(graph, node):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return [
        Problem(node.id, None, "not reachable from any trigger", "warning")
        for node in graph.nodes.values()
        if node.id not in reached
    ]
