"""The flow engine: pure, deterministic steps from one session state to the next.

Each call (`start`, `receive`, `fire_timer`, `http_result`, `resume`) takes the stored state
and returns the new state, the effects for the runtime to carry out in order (messages,
timers, an HTTP call, tags, ...) and the nodes entered. No database, network, clock or
randomness: the same inputs always give the same result, which is what lets the simulator
and the tests run the real engine.

The engine never raises. A graph mistake (missing node, invalid node data, a message Meta
would refuse) or a runaway loop ends the session as `errored` with a reason naming the node;
the guards keep a mistaken loop from spamming a customer (docs/flows.md §3 "Limits").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from finnegans.flows.definition import FlowGraph, Node
from finnegans.flows.engine_nodes import ENTER
from finnegans.flows.engine_replies import REPLY, http_outcome
from finnegans.flows.engine_run import Follow, Halt, Jump, Outcome, Run, Stop, record_inbound
from finnegans.flows.engine_types import (
    ENDED,
    CancelTimers,
    ChangeTags,
    ContactView,
    Effect,
    Handoff,
    HttpCall,
    HttpResponse,
    Inbound,
    ScheduleTimer,
    SendMessage,
    SessionState,
    SetAttribute,
    StartFlow,
    StepResult,
    json_safe,
)
from finnegans.flows.nodes import WaitData

__all__ = [
    "CancelTimers",
    "ChangeTags",
    "ContactView",
    "Effect",
    "Engine",
    "Handoff",
    "HttpCall",
    "HttpResponse",
    "Inbound",
    "ScheduleTimer",
    "SendMessage",
    "SessionState",
    "SetAttribute",
    "StartFlow",
    "StepResult",
]


class Engine:
    def __init__(
        self, graph: FlowGraph, *, max_steps: int = 100, max_sends: int = 10, max_visits: int = 3
    ) -> None:
        self.graph = graph
        self.max_steps = max_steps
        self.max_sends = max_sends
        self.max_visits = max_visits

    # --- the five entry points -----------------------------------------------------------------

    def start(
        self,
        contact: ContactView,
        inbound: Inbound | None,
        *,
        trigger_node_id: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> StepResult:
        """A new session: at `trigger_node_id`, else the trigger the message matches, else the
        `default` trigger, else the first trigger."""
        state = SessionState(variables=json_safe(dict(variables or {})))
        run = self._new_run(state, contact)

        def step() -> None:
            if inbound is not None:
                record_inbound(state.variables, inbound)
                state.variables["triggerMessage"] = inbound.text
                state.variables["trigger_message"] = inbound.text
            start_id = trigger_node_id
            if start_id is None and inbound is not None:
                match = self.graph.match_trigger(inbound)
                start_id = match.node_id if match is not None else None
            start_id = start_id or self.graph.default_trigger_id()
            if start_id is None:
                raise Halt("The flow has no trigger node")
            self._run_from(run, start_id, came_from=None)

        return self._guarded(run, step)

    def receive(self, state: SessionState, contact: ContactView, inbound: Inbound) -> StepResult:
        """A message while the session waits for input at options/list/question/wait/flow."""
        run = self._new_run(state.copy(), contact)
        if run.state.status != "waiting_input":
            return self._result(run)  # handed off, waiting for a timer or HTTP, or ended

        def step() -> None:
            node = self._current(run)
            reply = REPLY.get(node.type)
            if reply is None:
                raise Halt(f"Node {node.id}: a {node.type} node does not wait for a reply")
            record_inbound(run.variables, inbound)
            self._continue(run, node, reply(run, node, inbound))

        return self._guarded(run, step)

    def fire_timer(self, state: SessionState, contact: ContactView, kind: str) -> StepResult:
        """A delay elapsed ("delay") or a wait timed out ("timeout"); stale timers do nothing."""
        run = self._new_run(state.copy(), contact)
        node = self.graph.node(run.state.node_id)
        if node is None:
            return self._result(run)
        if kind == "delay" and run.state.status == "waiting_timer" and node.type == "delay":
            return self._guarded(run, lambda: self._continue(run, node, Follow(None)))
        if kind == "timeout" and run.state.status == "waiting_input" and node.type == "wait":
            data = node.data
            if isinstance(data, WaitData) and data.timeoutSeconds > 0:
                return self._guarded(run, lambda: self._continue(run, node, Follow("timeout")))
        return self._result(run)

    def http_result(
        self, state: SessionState, contact: ContactView, response: HttpResponse
    ) -> StepResult:
        """The answer (or failure) of the HTTP call an http/api node asked for."""
        run = self._new_run(state.copy(), contact)
        node = self.graph.node(run.state.node_id)
        if run.state.status != "waiting_http" or node is None or node.type not in ("http", "api"):
            return self._result(run)
        return self._guarded(
            run, lambda: self._continue(run, node, http_outcome(run, node, response))
        )

    def resume(self, state: SessionState, contact: ContactView) -> StepResult:
        """ "Resume bot" after a handoff: continue on the handoff node's default exit."""
        run = self._new_run(state.copy(), contact)
        node = self.graph.node(run.state.node_id)
        if run.state.status != "handed_off" or node is None or node.type != "handoff":
            return self._result(run)
        return self._guarded(run, lambda: self._continue(run, node, Follow(None)))

    # --- the run loop -------------------------------------------------------------------------

    def _new_run(self, state: SessionState, contact: ContactView) -> Run:
        return Run(self.graph, state, contact, self.max_sends)

    def _current(self, run: Run) -> Node:
        node = self.graph.node(run.state.node_id)
        if node is None:
            raise Halt(f"Node {run.state.node_id}: no longer exists in this flow")
        return node

    def _next(self, run: Run, node: Node, outcome: Outcome) -> str | None:
        """Act on what a node decided: the id of the node to enter next, or None to stop."""
        if isinstance(outcome, Stop):
            run.state.status = outcome.status
            return None
        if isinstance(outcome, Jump):
            if self.graph.node(outcome.node_id) is None:
                raise Halt(f"Node {node.id}: goto target {outcome.node_id!r} does not exist")
            return outcome.node_id
        exits = self.graph.exits(node.id)
        target = exits.get(outcome.handle)
        if target is None and outcome.or_default:
            target = exits.get(None)
        if target is None:
            run.state.status = "completed"  # nothing connected: the flow is over
        return target

    def _continue(self, run: Run, node: Node, outcome: Outcome) -> None:
        target = self._next(run, node, outcome)
        if target is not None:
            self._run_from(run, target, came_from=node.id)

    def _run_from(self, run: Run, node_id: str, *, came_from: str | None) -> None:
        current: str | None = node_id
        while current is not None:
            node = self.graph.node(current)
            if node is None:
                origin = f"Node {came_from}" if came_from else "The flow"
                raise Halt(f"{origin}: leads to node {current!r}, which does not exist")
            run.steps += 1
            if run.steps > self.max_steps:
                raise Halt(f"Node {current}: more than {self.max_steps} steps in one run")
            run.visits[current] += 1
            if run.visits[current] > self.max_visits:
                raise Halt(
                    f"Node {current}: entered more than {self.max_visits} times without"
                    " waiting for the contact (a loop?)"
                )
            run.path.append(current)
            run.state.node_id = current
            run.state.attempts = 0
            enter = ENTER.get(node.type)
            if enter is None:
                raise Halt(f"Node {current}: unknown node type {node.type!r}")
            came_from, current = current, self._next(run, node, enter(run, node))

    def _guarded(self, run: Run, step: Callable[[], None]) -> StepResult:
        """Run one call; any failure ends the session as errored instead of raising."""
        run.state.error = None
        try:
            run.state.status = "active"
            step()
        except Halt as halt:
            self._fail(run, str(halt))
        except Exception as exc:
            where = run.state.node_id or "?"
            self._fail(run, f"Node {where}: internal error ({type(exc).__name__}: {exc})")
        if run.state.status == "active":  # defensive: every path above sets a final status
            run.state.status = "completed"
        if run.state.status in ENDED and run.state.status != "errored":
            run.state.attempts = 0
        return self._result(run)

    def _fail(self, run: Run, reason: str) -> None:
        run.state.status = "errored"
        run.state.error = reason[:1000]
        # An HTTP call must be the last effect and means "waiting"; an errored run has none.
        run.effects = [e for e in run.effects if not isinstance(e, HttpCall)]

    def _result(self, run: Run) -> StepResult:
        run.state.variables = json_safe(run.state.variables)
        return StepResult(state=run.state, effects=list(run.effects), path=list(run.path))
