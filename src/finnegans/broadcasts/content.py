"""What each recipient gets: per-contact rendering, and the pre-launch template check.

`check_template_content` is the seam to the templates module (issue 6, part 2): today it asks
the number's WhatsApp Business Account for the template through the Graph API; the lead will
point it at the stored, synced templates instead. Everything else calls only this function.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from finnegans.context import AppContext
from finnegans.db.models import WhatsAppAccount
from finnegans.flows.engine_types import ContactView
from finnegans.flows.templating import build_scope, render
from finnegans.kit.logging import get_logger
from finnegans.whatsapp.graph import GraphError, GraphUnreachable, text_message
from finnegans.whatsapp.graph.messages import message_payload
from finnegans.whatsapp.graph_factory import graph_client_for

log = get_logger(__name__)

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_RENDERED_KEYS = ("text", "payload")


def _scope(contact: ContactView) -> dict[str, Any]:
    return build_scope({}, contact)


def render_template(template: Mapping[str, Any], contact: ContactView) -> dict[str, Any]:
    """The template object with {{contact.*}} in its text/payload parameters filled in."""
    rendered = copy.deepcopy(dict(template))
    scope = _scope(contact)
    for component in rendered.get("components") or []:
        for parameter in component.get("parameters") or []:
            for key in _RENDERED_KEYS:
                if isinstance(parameter.get(key), str):
                    parameter[key] = render(parameter[key], scope)
    return rendered


def graph_payload(content: Mapping[str, Any], contact: ContactView) -> dict[str, Any] | None:
    """The Graph message body for one recipient (None for flow broadcasts: the flow sends)."""
    kind = content.get("kind")
    if kind == "template":
        return message_payload(contact.address, "template",
                               render_template(content["template"], contact))  # fmt: skip
    if kind == "text":
        return text_message(contact.address, render(str(content["text"]), _scope(contact)))
    return None


def empty_parameters(payload: Mapping[str, Any]) -> list[str]:
    """Text parameters that rendered empty: Meta refuses them (132000/100), so we fail early."""
    empty: list[str] = []
    template = payload.get("template") if payload.get("type") == "template" else None
    for ci, component in enumerate((template or {}).get("components") or []):
        for pi, parameter in enumerate(component.get("parameters") or []):
            if parameter.get("type") == "text" and not str(parameter.get("text") or "").strip():
                empty.append(f"components[{ci}].parameters[{pi}]")
    return empty


def _needed(definition: Mapping[str, Any]) -> dict[str, set[str]]:
    """Placeholders per component type in a template definition (BODY/HEADER texts)."""
    needed: dict[str, set[str]] = {}
    for component in definition.get("components") or []:
        kind = str(component.get("type") or "").lower()
        found = set(_PLACEHOLDER.findall(str(component.get("text") or "")))
        if found and kind in ("body", "header"):
            needed[kind] = found
    return needed


def _given(template: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    given: dict[str, list[Mapping[str, Any]]] = {}
    for component in template.get("components") or []:
        kind = str(component.get("type") or "").lower()
        given.setdefault(kind, []).extend(component.get("parameters") or [])
    return given


def compare_parameters(definition: Mapping[str, Any], template: Mapping[str, Any]) -> list[str]:
    """Problems with the parameters sent for this definition (count or names)."""
    problems: list[str] = []
    given = _given(template)
    for kind, names in _needed(definition).items():
        params = given.get(kind, [])
        if all(name.isdigit() for name in names):
            if len(params) != len(names):
                problems.append(f"{kind}: the template needs {len(names)} parameters, "
                                f"{len(params)} given")  # fmt: skip
        else:
            named = {str(p.get("parameter_name")) for p in params if p.get("parameter_name")}
            missing = sorted(names - named)
            if missing:
                problems.append(f"{kind}: missing parameters {', '.join(missing)}")
    return problems


async def check_template_content(
    ctx: AppContext, account: WhatsAppAccount, template: Mapping[str, Any]
) -> list[str]:
    """THE SEAM to the templates module: problems that would make Meta refuse this template.

    Today: the definition is fetched from the account's WABA (Graph `message_templates`), then
    its name, language, approval and parameters are checked. When the templates module lands,
    look the definition up in its table instead; keep the signature and the returned messages.
    An unreachable Graph API is not a reason to refuse a launch: Meta's own answer will tell.
    """
    name = str(template.get("name"))
    language = str((template.get("language") or {}).get("code"))
    if not account.waba_id:
        return []
    try:
        async with graph_client_for(ctx, account) as graph:
            found = await graph.list_templates(name=name)
    except (GraphError, GraphUnreachable, ValueError) as exc:
        log.warning("template_check_skipped", template=name, error=str(exc)[:200])
        return []
    definition = next((t for t in found if t.get("name") == name
                       and t.get("language") == language), None)  # fmt: skip
    if definition is None:
        return [f"template {name!r} ({language}) does not exist on this WhatsApp account"]
    status = str(definition.get("status") or "")
    if status != "APPROVED":
        return [f"template {name!r} ({language}) is {status or 'not approved'}"]
    return compare_parameters(definition, template)
