"""All models, imported in one place so metadata (and Alembic) sees every table."""

from finnegans.db.models.broadcasts import Broadcast, BroadcastRecipient
from finnegans.db.models.contacts import (
    Contact,
    ContactAttributeDefinition,
    ContactOptEvent,
    ContactTag,
    Conversation,
    Segment,
    Tag,
)
from finnegans.db.models.flows import (
    Flow,
    FlowSession,
    FlowSessionNode,
    FlowSimulation,
    FlowVersion,
)
from finnegans.db.models.imports import ContactImport, ContactImportError
from finnegans.db.models.inbox import CannedResponse
from finnegans.db.models.messaging import Message, MessageStatus
from finnegans.db.models.metrics import MessageRollup
from finnegans.db.models.tasks import Task
from finnegans.db.models.templates import MessageTemplate
from finnegans.db.models.whatsapp import (
    AccountStatus,
    PendingStatus,
    WebhookEvent,
    WhatsAppAccount,
)
from finnegans.db.models.workspace import (
    ApiKey,
    AuditLog,
    AuthSession,
    Invitation,
    Role,
    User,
    Workspace,
    WorkspaceMember,
)

__all__ = [
    "AccountStatus",
    "ApiKey",
    "AuditLog",
    "AuthSession",
    "Broadcast",
    "BroadcastRecipient",
    "CannedResponse",
    "Contact",
    "ContactAttributeDefinition",
    "ContactImport",
    "ContactImportError",
    "ContactOptEvent",
    "ContactTag",
    "Conversation",
    "Flow",
    "FlowSession",
    "FlowSessionNode",
    "FlowSimulation",
    "FlowVersion",
    "Invitation",
    "Message",
    "MessageRollup",
    "MessageStatus",
    "MessageTemplate",
    "PendingStatus",
    "Role",
    "Segment",
    "Tag",
    "Task",
    "User",
    "WebhookEvent",
    "WhatsAppAccount",
    "Workspace",
    "WorkspaceMember",
]
