import { useTranslation } from "react-i18next";
import type { WhatsAppAccountStatus } from "../../../api/types";
import { Badge, type Tone } from "../../../components/Badge";

const TONES: Record<WhatsAppAccountStatus, Tone> = {
  connected: "green",
  sandbox: "blue",
  needs_reconnection: "red",
  incomplete: "amber",
};

export function StatusBadge({ status, testId }: { status: WhatsAppAccountStatus; testId?: string }) {
  const { t } = useTranslation();
  const known = status in TONES;
  return (
    <Badge tone={known ? TONES[status] : "zinc"} dot data-testid={testId} data-status={status}>
      {known ? t(`whatsapp.status.${status}`) : status}
    </Badge>
  );
}
