"""Field checks of each node type: Meta's limits (from whatsapp/graph/limits.py) and the flow
format's own (docs/flows.md §2). Empty required texts are `incomplete` (a draft being filled
in); anything Meta or the engine would refuse is an `error`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from finnegans.flows.definition import Node
from finnegans.flows.expressions import (
    MAX_EXPRESSION,
    ExpressionError,
    compile_condition,
    translate_js,
)
from finnegans.flows.matching import fold
from finnegans.flows.nodes import (
    AssignData,
    ConditionData,
    CtaUrlData,
    DelayData,
    HandoffData,
    HttpData,
    ListData,
    MediaData,
    MessageData,
    NodeData,
    OptionsData,
    QuestionData,
    SetAttributeData,
    TagData,
    TemplateData,
    TemplateParam,
    TriggerData,
    WaitData,
    WhatsAppFlowData,
)
from finnegans.flows.safe_regex import regex_error
from finnegans.whatsapp.graph.limits import (
    CTA_DISPLAY_TEXT_MAX,
    INTERACTIVE_BODY_MAX,
    INTERACTIVE_FOOTER_MAX,
    INTERACTIVE_HEADER_TEXT_MAX,
    LIST_BODY_MAX,
    LIST_BUTTON_LABEL_MAX,
    LIST_ROW_DESCRIPTION_MAX,
    LIST_ROW_TITLE_MAX,
    LIST_ROWS_TOTAL_MAX,
    LIST_SECTION_TITLE_MAX,
    LIST_SECTIONS_MAX,
    MEDIA_CAPTION_MAX,
    REPLY_BUTTON_TITLE_MAX,
    REPLY_BUTTONS_MAX,
    TEMPLATE_BUTTONS_MAX,
    TEXT_BODY_MAX,
)

# The flow format's own limits (docs/flows.md §2); Meta's come from limits.py.
NAME_MAX = 60
KEYWORD_MAX = 64
VARIABLE_MAX = 50
VALUE_MAX = 500
NOTE_MAX = 500
QUEUE_MAX = 60
TAGS_MAX = 10
TAG_MAX = 50
CHOICES_MAX = 10
MAX_ATTEMPTS = 10
TEMPLATE_VALUE_MAX = 1024
DELAY_MAX = 2_592_000  # 30 days
WAIT_MIN = 60
HTTP_TIMEOUT_MAX = 30
HANDOFF_RETURN_MAX = 10_080  # a week, in minutes
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")

Severity = Literal["error", "incomplete", "warning"]


@dataclass(frozen=True)
class Problem:
    node: str | None
    field: str | None
    message: str
    severity: Severity

    def to_json(self) -> dict[str, str | None]:
        return {
            "node": self.node,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class Checks:
    """Collects the problems of one node."""

    node: str | None
    problems: list[Problem] = field(default_factory=list)

    def add(self, severity: Severity, where: str | None, message: str) -> None:
        self.problems.append(Problem(self.node, where, message, severity))

    def error(self, where: str | None, message: str) -> None:
        self.add("error", where, message)

    def incomplete(self, where: str | None, message: str) -> None:
        self.add("incomplete", where, message)

    def warning(self, where: str | None, message: str) -> None:
        self.add("warning", where, message)

    def text(self, where: str, value: str | None, maximum: int, *, required: bool = False) -> None:
        if value is None or not value.strip():
            if required:
                self.incomplete(where, "is required")
            return
        if len(value) > maximum:
            self.error(where, f"at most {maximum} characters (got {len(value)})")

    def url(self, where: str, value: str | None, *, required: bool = True) -> None:
        if value is None or not value.strip():
            if required:
                self.incomplete(where, "is required")
            return
        url = value.strip().lower()
        # A URL built from a variable ("{{base}}/x") can only be checked when it is sent.
        if not url.startswith(("http://", "https://", "{{")):
            self.error(where, "must be an http:// or https:// URL")

    def variable(self, where: str, value: str | None, *, required: bool = False) -> None:
        if value is None or not value.strip():
            if required:
                self.incomplete(where, "is required")
            return
        if len(value) > VARIABLE_MAX:
            self.error(where, f"at most {VARIABLE_MAX} characters (got {len(value)})")
        elif not _VARIABLE.fullmatch(value.strip()):
            self.error(
                where, "a variable name: letters, digits, _ and dots, not starting with a digit"
            )

    def number(self, where: str, value: float, low: float, high: float) -> None:
        if not low <= value <= high:
            self.error(where, f"must be between {low:g} and {high:g} (got {value:g})")

    def titles(
        self, where: str, titles: Sequence[str], maximum: int, *, what: str = "option"
    ) -> None:
        """Each title required and ≤ maximum; exact repeats are errors, folded ones warnings."""
        seen: dict[str, int] = {}
        folded: dict[str, int] = {}
        for index, title in enumerate(titles):
            spot = f"{where}[{index}]"
            self.text(spot, title, maximum, required=True)
            if not title.strip():
                continue
            if title in seen:
                self.error(spot, f"repeats {what} {seen[title] + 1} ({title!r})")
            elif fold(title) in folded:
                self.warning(spot, f"looks the same as {what} {folded[fold(title)] + 1} when typed")
            seen.setdefault(title, index)
            folded.setdefault(fold(title), index)


def _trigger(c: Checks, data: TriggerData) -> None:
    if data.match == "regex":
        if not data.pattern:
            c.incomplete("pattern", "a regex trigger needs a pattern")
        elif (reason := regex_error(data.pattern)) is not None:
            c.error("pattern", reason)
        return
    keywords = data.keywords if data.keywords else ((data.keyword,) if data.keyword else ())
    where = "keywords" if data.keywords else "keyword"
    if not any(k.strip() for k in keywords):
        c.incomplete(where, "add at least one keyword")
    for index, keyword in enumerate(keywords):
        spot = f"keywords[{index}]" if data.keywords else "keyword"
        c.text(spot, keyword, KEYWORD_MAX)


def _template_params(c: Checks, where: str, params: Sequence[TemplateParam]) -> None:
    headers = 0
    for index, param in enumerate(params):
        spot = f"{where}[{index}]"
        if param.component not in ("body", "header", "button"):
            c.error(f"{spot}.component", "must be body, header or button")
        if param.type not in ("text", "image", "video", "document", "payload"):
            c.error(f"{spot}.type", "must be text, image, video, document or payload")
        c.text(f"{spot}.value", param.value, TEMPLATE_VALUE_MAX, required=True)
        if param.component == "header":
            headers += 1
            if headers == 2:
                c.error(spot, "a template header takes a single parameter")
        if param.component == "button":
            if param.subType not in (None, "quick_reply", "url"):
                c.error(f"{spot}.subType", "must be quick_reply or url")
            if param.index is not None and not 0 <= param.index < TEMPLATE_BUTTONS_MAX:
                c.error(f"{spot}.index", f"must be between 0 and {TEMPLATE_BUTTONS_MAX - 1}")


def _message(c: Checks, data: MessageData) -> None:
    if data.useTemplate:
        c.text("templateName", data.templateName, 512, required=True)
        c.text("templateLanguage", data.templateLanguage, 24, required=True)
        _template_params(c, "templateParameters", data.templateParameters)
    else:
        c.text("text", data.text, TEXT_BODY_MAX, required=True)


def _template(c: Checks, data: TemplateData) -> None:
    c.text("templateName", data.templateName, 512, required=True)
    c.text("language", data.language, 24, required=True)
    _template_params(c, "parameters", data.parameters)


def _interactive_frame(c: Checks, header: str | None, footer: str | None) -> None:
    c.text("header", header, INTERACTIVE_HEADER_TEXT_MAX)
    c.text("footer", footer, INTERACTIVE_FOOTER_MAX)


def _options(c: Checks, data: OptionsData) -> None:
    c.text("text", data.text, INTERACTIVE_BODY_MAX, required=True)
    _interactive_frame(c, data.header, data.footer)
    c.text("buttonText", data.buttonText, LIST_BUTTON_LABEL_MAX)
    if not data.options:
        c.incomplete("options", "add at least one option")
    elif len(data.options) > LIST_ROWS_TOTAL_MAX:
        c.error("options", f"at most {LIST_ROWS_TOTAL_MAX} options (got {len(data.options)})")
    elif data.display == "buttons" and len(data.options) > REPLY_BUTTONS_MAX:
        # The original sent the first 3 and silently dropped the rest; say so instead.
        c.error(
            f"options[{REPLY_BUTTONS_MAX}]",
            f"WhatsApp shows at most {REPLY_BUTTONS_MAX} reply buttons (got "
            f"{len(data.options)}); show the options as a list for up to {LIST_ROWS_TOTAL_MAX}",
        )
    c.titles("options", data.options, REPLY_BUTTON_TITLE_MAX)


def _list(c: Checks, data: ListData) -> None:
    c.text("text", data.text, LIST_BODY_MAX, required=True)
    c.text("buttonText", data.buttonText, LIST_BUTTON_LABEL_MAX, required=True)
    _interactive_frame(c, data.header, data.footer)
    if not data.sections:
        c.incomplete("sections", "add at least one section with a row")
    elif len(data.sections) > LIST_SECTIONS_MAX:
        c.error("sections", f"at most {LIST_SECTIONS_MAX} sections (got {len(data.sections)})")
    rows = data.rows()
    if len(rows) > LIST_ROWS_TOTAL_MAX:
        c.error("sections", f"at most {LIST_ROWS_TOTAL_MAX} rows in total (got {len(rows)})")
    seen: dict[str, str] = {}
    for s_index, section in enumerate(data.sections):
        spot = f"sections[{s_index}]"
        c.text(f"{spot}.title", section.title, LIST_SECTION_TITLE_MAX)
        if len(data.sections) > 1 and not (section.title or "").strip():
            c.incomplete(f"{spot}.title", "is required when there are 2 or more sections")
        if not section.rows:
            c.incomplete(f"{spot}.rows", "add at least one row")
        for r_index, row in enumerate(section.rows):
            row_spot = f"{spot}.rows[{r_index}]"
            c.text(f"{row_spot}.title", row.title, LIST_ROW_TITLE_MAX, required=True)
            c.text(f"{row_spot}.description", row.description, LIST_ROW_DESCRIPTION_MAX)
            if row.title.strip() and row.title in seen:
                c.error(f"{row_spot}.title", f"repeats the row at {seen[row.title]}")
            seen.setdefault(row.title, row_spot)


def _cta_url(c: Checks, data: CtaUrlData) -> None:
    c.text("text", data.text, INTERACTIVE_BODY_MAX, required=True)
    c.text("buttonText", data.buttonText, CTA_DISPLAY_TEXT_MAX, required=True)
    c.url("url", data.url)
    _interactive_frame(c, data.header, data.footer)


def _question(c: Checks, data: QuestionData) -> None:
    buttons = data.validation == "choice" and 0 < len(data.choices) <= REPLY_BUTTONS_MAX
    body_max = INTERACTIVE_BODY_MAX if buttons else TEXT_BODY_MAX
    c.text("text", data.text, body_max, required=True)
    c.text("retryText", data.retryText, body_max)
    c.variable("variable", data.variable, required=True)
    c.number("maxAttempts", data.maxAttempts, 1, MAX_ATTEMPTS)
    if data.validation == "regex":
        if not data.pattern:
            c.incomplete("pattern", "a regex answer needs a pattern")
        elif (reason := regex_error(data.pattern)) is not None:
            c.error("pattern", reason)
    if data.validation == "choice":
        if not data.choices:
            c.incomplete("choices", "add at least one choice")
        elif len(data.choices) > CHOICES_MAX:
            c.error("choices", f"at most {CHOICES_MAX} choices (got {len(data.choices)})")
        maximum = REPLY_BUTTON_TITLE_MAX if buttons else LIST_ROW_TITLE_MAX
        c.titles("choices", data.choices, maximum, what="choice")


def _media(c: Checks, data: MediaData) -> None:
    if not (data.url or "").strip() and not (data.id or "").strip():
        c.incomplete("url", "a media url or media id is required")
    c.url("url", data.url, required=False)
    c.text("caption", data.caption, MEDIA_CAPTION_MAX)
    if data.caption and data.mediaType == "audio":
        c.warning("caption", "audio messages have no caption; it is not sent")
    if data.filename and data.mediaType != "document":
        c.warning("filename", "only documents have a filename; it is not sent")


def _delay(c: Checks, data: DelayData) -> None:
    c.number("seconds", data.seconds, 1, DELAY_MAX)


def _wait(c: Checks, data: WaitData) -> None:
    c.variable("variable", data.variable)
    if data.timeoutSeconds != 0:
        c.number("timeoutSeconds", data.timeoutSeconds, WAIT_MIN, DELAY_MAX)


def _condition(c: Checks, data: ConditionData) -> None:
    expression = (data.expression or "").strip()
    has_rules = data.rules is not None and bool(data.rules.conditions)
    if not expression and not has_rules:
        c.incomplete("expression", "write an expression or add rules")
    if expression:
        original = data.originalExpression
        if original is not None and original.strip() == expression:
            # JavaScript from the original builder that could not be translated on import.
            try:
                translate_js(original)
            except ExpressionError as exc:
                c.error("expression", f"this JavaScript cannot be used: {exc}")
                return
        try:
            if len(expression) > MAX_EXPRESSION:
                raise ExpressionError(f"at most {MAX_EXPRESSION} characters")
            compile_condition(expression)
        except ExpressionError as exc:
            c.error("expression", str(exc))
    if data.rules is not None:
        for index, rule in enumerate(data.rules.conditions):
            if rule.op == "matches" and "{{" not in rule.right:
                reason = regex_error(rule.right)
                if reason is not None:
                    c.error(f"rules.conditions[{index}].right", reason)


def _http(c: Checks, data: HttpData) -> None:
    c.url("url", data.url)
    c.number("timeoutSeconds", data.timeoutSeconds, 1, HTTP_TIMEOUT_MAX)
    for name in data.headers:
        if not name.strip():
            c.error("headers", "a header needs a name")
    for variable in data.responseMapping:
        c.variable(f"responseMapping.{variable}", variable, required=True)
    c.variable("assignTo", data.assignTo)
    if data.method == "GET" and (data.body or "").strip():
        c.warning("body", "a GET request has no body; it is not sent")


def _assign(c: Checks, data: AssignData) -> None:
    c.variable("key", data.key, required=True)
    c.text("value", data.value, VALUE_MAX)


def _set_attribute(c: Checks, data: SetAttributeData) -> None:
    c.text("key", data.key, VARIABLE_MAX, required=True)
    c.text("value", data.value, VALUE_MAX)


def _tag(c: Checks, data: TagData) -> None:
    if not any(t.strip() for t in data.tags):
        c.incomplete("tags", "add at least one tag")
    elif len(data.tags) > TAGS_MAX:
        c.error("tags", f"at most {TAGS_MAX} tags (got {len(data.tags)})")
    for index, tag in enumerate(data.tags):
        c.text(f"tags[{index}]", tag, TAG_MAX, required=True)


def _whatsapp_flow(c: Checks, data: WhatsAppFlowData) -> None:
    c.text("body", data.body, INTERACTIVE_BODY_MAX, required=True)
    _interactive_frame(c, data.header, data.footer)
    c.text("cta", data.cta, CTA_DISPLAY_TEXT_MAX)
    c.text("flowId", data.flowId, 64)
    if not data.flowId.strip():
        # Original flows have no Meta Flow id; they still run, sending the text as a message.
        c.warning("flowId", "no WhatsApp Flow id: the node sends its text as a plain message")
    elif data.flowAction == "navigate" and not (data.screen or "").strip():
        c.incomplete("screen", "the first screen is required to open the Flow (navigate)")
    c.variable("variable", data.variable)


def _handoff(c: Checks, data: HandoffData) -> None:
    c.text("queue", data.queue, QUEUE_MAX)
    c.text("note", data.note, NOTE_MAX)
    c.number("returnAfterMinutes", data.returnAfterMinutes, 0, HANDOFF_RETURN_MAX)


def _check_data(c: Checks, data: NodeData) -> None:
    if isinstance(data, TriggerData):
        _trigger(c, data)
    elif isinstance(data, MessageData):
        _message(c, data)
    elif isinstance(data, TemplateData):
        _template(c, data)
    elif isinstance(data, OptionsData):
        _options(c, data)
    elif isinstance(data, ListData):
        _list(c, data)
    elif isinstance(data, CtaUrlData):
        _cta_url(c, data)
    elif isinstance(data, QuestionData):
        _question(c, data)
    elif isinstance(data, MediaData):
        _media(c, data)
    elif isinstance(data, DelayData):
        _delay(c, data)
    elif isinstance(data, WaitData):
        _wait(c, data)
    elif isinstance(data, ConditionData):
        _condition(c, data)
    elif isinstance(data, HttpData):  # api too (ApiData is an HttpData)
        _http(c, data)
    elif isinstance(data, AssignData):
        _assign(c, data)
    elif isinstance(data, SetAttributeData):
        _set_attribute(c, data)
    elif isinstance(data, TagData):
        _tag(c, data)
    elif isinstance(data, WhatsAppFlowData):
        _whatsapp_flow(c, data)
    elif isinstance(data, HandoffData):
        _handoff(c, data)


def check_node_fields(node: Node) -> list[Problem]:
    """Problems of one node's own fields (its data model errors included)."""
    c = Checks(node.id)
    for where, message in node.problems:
        if where != "type":  # an unknown type is reported once, by the graph checks
            c.error(where or None, message)
    if node.data is None:
        return c.problems
    c.text("name", node.data.name, NAME_MAX)
    _check_data(c, node.data)
    return c.problems
