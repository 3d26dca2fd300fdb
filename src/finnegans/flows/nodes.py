"""The typed `data` of every node type (docs/flows.md §2) and the exits (handles) each type has.

The models describe *shapes* only: types, defaults and the coercions the original builder relied
on (numbers typed into text fields, `keyword` instead of `keywords`). Lengths and ranges are
checked in `validation.py`, so that each problem can be reported with its own severity and field
path instead of failing the whole node. Unknown keys are kept (`extra="allow"`): React Flow and
future builder versions store their own keys in `data`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

ORIGINAL_NODE_TYPES = (
    "trigger", "message", "options", "delay", "condition", "api", "assign", "media",
    "whatsapp_flow", "handoff", "goto", "end",
)  # fmt: skip
NODE_TYPES = (
    *ORIGINAL_NODE_TYPES,
    "list", "cta_url", "question", "template", "wait", "http", "set_attribute", "tag",
    "start_flow",
)  # fmt: skip
# Nodes that stop the run until something happens (a reply, a timer, an agent): a cycle through
# one of them cannot spin without the contact's involvement.
WAITING_TYPES = frozenset(
    {"options", "list", "question", "wait", "delay", "whatsapp_flow", "handoff"}
)
# Nodes with no exit of their own.
TERMINAL_TYPES = frozenset({"end", "goto", "start_flow"})


def _number_text(value: float) -> str:
    # JavaScript's String(5.0) is "5": keep that for values the original stored as numbers.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_str(value: Any) -> Any:
    """None → "", numbers and booleans → text (the original builder's inputs were untyped)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    return value


def _to_opt_str(value: Any) -> Any:
    if value is None or value == "":
        return None
    return _to_str(value)


def _to_any_str(value: Any) -> Any:
    """Like `_to_str`, and objects become JSON (an `assign` value is always text)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _to_str(value)


def _to_str_list(value: Any) -> Any:
    """A single string is a one-item list; None is an empty one."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return value


def _to_bool(value: Any) -> Any:
    return False if value is None else value


def _or_default(default: Any) -> Any:
    def convert(value: Any) -> Any:
        return default if value is None or value == "" else value

    return BeforeValidator(convert)


Str = Annotated[str, BeforeValidator(_to_str)]
OptStr = Annotated[str | None, BeforeValidator(_to_opt_str)]
AnyStr = Annotated[str, BeforeValidator(_to_any_str)]
StrList = Annotated[
    tuple[Annotated[str, BeforeValidator(_to_str)], ...], BeforeValidator(_to_str_list)
]
Bool = Annotated[bool, BeforeValidator(_to_bool)]


class NodeData(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    name: Str = ""


class TriggerData(NodeData):
    keywords: StrList = ()
    keyword: OptStr = None  # the original's single keyword; `keywords` wins when both are set
    match: Annotated[Literal["word", "exact", "regex"], _or_default("word")] = "word"
    pattern: OptStr = None

    def all_keywords(self) -> tuple[str, ...]:
        words = tuple(k for k in self.keywords if k.strip())
        if words:
            return words
        return (self.keyword,) if self.keyword and self.keyword.strip() else ()


class TemplateParam(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    component: Annotated[str, _or_default("body")] = "body"
    type: Annotated[str, _or_default("text")] = "text"
    value: Str = ""
    subType: OptStr = None
    index: int | None = None

    @field_validator("component", "type", "subType", mode="after")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() if value is not None else None


class MessageData(NodeData):
    text: Str = ""
    useTemplate: Bool = False
    templateName: Str = ""
    templateLanguage: Str = ""
    templateParameters: tuple[TemplateParam, ...] = ()


class OptionsData(NodeData):
    text: Str = ""
    options: StrList = ()
    header: OptStr = None
    footer: OptStr = None
    buttonText: OptStr = None
    # Reply buttons (at most 3, WhatsApp's limit) or a list message (up to 10).
    display: Annotated[Literal["buttons", "list"], _or_default("buttons")] = "buttons"


class ListRowData(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    title: Str = ""
    description: OptStr = None


class ListSectionData(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    title: OptStr = None
    rows: tuple[ListRowData, ...] = ()


class ListData(NodeData):
    text: Str = ""
    buttonText: Str = ""
    header: OptStr = None
    footer: OptStr = None
    sections: tuple[ListSectionData, ...] = ()

    def rows(self) -> list[ListRowData]:
        return [row for section in self.sections for row in section.rows]


class CtaUrlData(NodeData):
    text: Str = ""
    buttonText: Str = ""
    url: Str = ""
    header: OptStr = None
    footer: OptStr = None


QuestionValidation = Literal["text", "number", "email", "phone", "date", "regex", "choice"]


class QuestionData(NodeData):
    text: Str = ""
    variable: Str = ""
    validation: Annotated[QuestionValidation, _or_default("text")] = "text"
    pattern: OptStr = None
    choices: StrList = ()
    retryText: OptStr = None
    maxAttempts: Annotated[int, _or_default(3)] = 3


class MediaData(NodeData):
    mediaType: Annotated[Literal["image", "video", "audio", "document"], _or_default("image")] = (
        "image"
    )
    url: OptStr = None
    id: OptStr = None
    caption: OptStr = None
    filename: OptStr = None


class TemplateData(NodeData):
    templateName: Str = ""
    language: Str = ""
    parameters: tuple[TemplateParam, ...] = ()


class DelayData(NodeData):
    seconds: Annotated[float, _or_default(1)] = 1


class WaitData(NodeData):
    variable: OptStr = None
    timeoutSeconds: Annotated[int, _or_default(0)] = 0


class RuleData(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    left: AnyStr = ""
    op: Literal[
        "eq", "neq", "contains", "not_contains", "starts_with", "ends_with", "gt", "gte", "lt",
        "lte", "is_empty", "not_empty", "matches",
    ] = "eq"  # fmt: skip
    right: AnyStr = ""


class RulesData(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    match: Annotated[Literal["all", "any"], _or_default("all")] = "all"
    conditions: tuple[RuleData, ...] = ()


class ConditionData(NodeData):
    expression: OptStr = None
    rules: RulesData | None = None
    originalExpression: OptStr = None  # the original JavaScript, kept when it was translated


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class HttpData(NodeData):
    url: Str = ""
    method: Annotated[HttpMethod, BeforeValidator(_upper), _or_default("GET")] = "GET"
    headers: dict[str, Str] = {}
    body: OptStr = None
    timeoutSeconds: Annotated[float, _or_default(10)] = 10
    responseMapping: dict[str, Str] = {}
    assignTo: OptStr = None


class ApiData(HttpData):
    """The original HTTP node: POST by default, the response always stored (`apiResult`)."""

    method: Annotated[HttpMethod, BeforeValidator(_upper), _or_default("POST")] = "POST"
    assignTo: Annotated[str, _or_default("apiResult")] = "apiResult"


class AssignData(NodeData):
    key: Str = ""
    value: AnyStr = ""


class SetAttributeData(NodeData):
    key: Str = ""
    value: AnyStr = ""


class TagData(NodeData):
    action: Annotated[Literal["add", "remove"], _or_default("add")] = "add"
    tags: StrList = ()


class WhatsAppFlowData(NodeData):
    body: Str = ""
    header: OptStr = None
    footer: OptStr = None
    cta: OptStr = None
    flowId: Str = ""
    flowAction: Annotated[Literal["navigate", "data_exchange"], _or_default("navigate")] = (
        "navigate"
    )
    screen: OptStr = None
    mode: Annotated[Literal["published", "draft"], _or_default("published")] = "published"
    variable: Annotated[str, _or_default("flow")] = "flow"


class HandoffData(NodeData):
    queue: Annotated[str, _or_default("Default")] = "Default"
    note: Str = ""
    assigneeId: OptStr = None
    returnAfterMinutes: Annotated[int, _or_default(0)] = 0


class StartFlowData(NodeData):
    flowId: Str = ""


class GotoData(NodeData):
    targetNodeId: Str = ""


class EndData(NodeData):
    reason: Annotated[str, _or_default("end")] = "end"


DATA_MODELS: dict[str, type[NodeData]] = {
    "trigger": TriggerData,
    "message": MessageData,
    "options": OptionsData,
    "list": ListData,
    "cta_url": CtaUrlData,
    "question": QuestionData,
    "media": MediaData,
    "template": TemplateData,
    "delay": DelayData,
    "wait": WaitData,
    "condition": ConditionData,
    "api": ApiData,
    "http": HttpData,
    "assign": AssignData,
    "set_attribute": SetAttributeData,
    "tag": TagData,
    "whatsapp_flow": WhatsAppFlowData,
    "handoff": HandoffData,
    "start_flow": StartFlowData,
    "goto": GotoData,
    "end": EndData,
}

Handle = str | None


def option_handles(count: int) -> tuple[str, ...]:
    return tuple(f"opt-{i}" for i in range(count))


def _choice_count(node_type: str, data: NodeData | None, raw: Any) -> int:
    """How many `opt-<i>` handles an options/list node has (read from raw data if invalid)."""
    if isinstance(data, OptionsData):
        return len(data.options)
    if isinstance(data, ListData):
        return len(data.rows())
    if not isinstance(raw, dict):
        return 0
    if node_type == "options":
        options = raw.get("options")
        return len(options) if isinstance(options, list) else 0
    sections = raw.get("sections")
    if not isinstance(sections, list):
        return 0
    return sum(
        len(s["rows"]) for s in sections if isinstance(s, dict) and isinstance(s.get("rows"), list)
    )


def handles_of(node_type: str, data: NodeData | None, raw: Any = None) -> tuple[Handle, ...]:
    """Every exit the node has; `None` is the default exit."""
    if node_type in ("options", "list"):
        return (*option_handles(_choice_count(node_type, data, raw)), "no-match")
    return _FIXED_HANDLES.get(node_type, (None,))


_FIXED_HANDLES: dict[str, tuple[Handle, ...]] = {
    "question": (None, "fallback"),
    "wait": (None, "timeout"),
    "condition": ("true", "false"),
    "api": (None, "success", "error"),
    "http": ("success", "error"),
    "whatsapp_flow": (None, "no-match"),
    "start_flow": (),
    "goto": (),
    "end": (),
}


def required_handles(node_type: str, data: NodeData | None, raw: Any = None) -> tuple[Handle, ...]:
    """The exits that must be connected before the flow can be published."""
    if node_type in ("options", "list", "condition", "http"):
        return handles_of(node_type, data, raw)
    if node_type == "question":
        return (None, "fallback")
    if node_type == "wait":
        timeout = data.timeoutSeconds if isinstance(data, WaitData) else 0
        return (None, "timeout") if timeout > 0 else (None,)
    if node_type in ("whatsapp_flow",):
        return (None,)
    return ()


def single_exit(node_type: str) -> bool:
    """Nodes whose only exit is the default one (extra edges there are ignored)."""
    return node_type in DATA_MODELS and handles_of(node_type, None) == (None,)
