"""Account-level webhook fields: template review, account restrictions, number quality."""

from __future__ import annotations

from pydantic import Field

from finnegans.whatsapp.inbound.common import UnixTime, WaModel


class RejectionInfo(WaModel):
    reason: str | None = None
    recommendation: str | None = None


class OtherInfo(WaModel):
    title: str | None = None
    description: str | None = None


class TemplateStatusUpdate(WaModel):
    """`message_template_status_update`: APPROVED, REJECTED, PAUSED, DISABLED, ..."""

    event: str
    message_template_id: int
    message_template_name: str | None = None
    message_template_language: str | None = None
    message_template_category: str | None = None
    reason: str | None = None  # null when the template is scheduled for deletion
    rejection_info: RejectionInfo | None = None
    other_info: OtherInfo | None = None


class RestrictionInfo(WaModel):
    restriction_type: str
    expiration: UnixTime | None = None


class BanInfo(WaModel):
    waba_ban_state: str | None = None
    waba_ban_date: str | None = None


class ViolationInfo(WaModel):
    violation_type: str | None = None


class AccountUpdate(WaModel):
    """`account_update`; events are many and keep growing, so `event` stays a plain string."""

    event: str
    phone_number: str | None = None  # legacy shape
    restriction_info: list[RestrictionInfo] = Field(default_factory=list)
    ban_info: BanInfo | None = None
    violation_info: ViolationInfo | None = None


class Throughput(WaModel):
    level: str | None = None  # STANDARD, HIGH, NOT_APPLICABLE


THROUGHPUT_UPGRADE = "THROUGHPUT_UPGRADE"


class PhoneNumberQualityUpdate(WaModel):
    """`phone_number_quality_update`.

    Current docs: `event` ONBOARDING or THROUGHPUT_UPGRADE, limit in
    `max_daily_conversations_per_business`. Legacy shape: FLAGGED/UNFLAGGED/UPGRADE/DOWNGRADE
    with `current_limit` (deprecated, still sent in Meta's own example).
    Note: it carries `display_phone_number` only, no `phone_number_id`.
    """

    event: str
    display_phone_number: str | None = None
    max_daily_conversations_per_business: str | None = None
    current_limit: str | None = None
    old_limit: str | None = None
    throughput: Throughput | None = None

    @property
    def messaging_limit(self) -> str | None:
        """The tier (TIER_250 ... TIER_UNLIMITED), whichever key this version used."""
        return self.max_daily_conversations_per_business or self.current_limit

    @property
    def is_throughput_upgrade(self) -> bool:
        """The number now sends up to 1,000 msg/s (instead of 80): raise the send budget."""
        level = self.throughput.level if self.throughput is not None else None
        return self.event == THROUGHPUT_UPGRADE or level == "HIGH"
