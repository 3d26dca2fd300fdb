import { useTranslation } from "react-i18next";
import { Badge, type Tone } from "../../components/Badge";
import type { FlowStatus } from "./types";

const TONES: Record<FlowStatus, Tone> = { Active: "green", Draft: "zinc", Inactive: "amber" };

export function StatusBadge({ status }: { status: FlowStatus }) {
  const { t } = useTranslation();
  return (
    <Badge tone={TONES[status]} dot data-testid="flow-status" data-status={status}>
      {t(`flows.status.${status}`)}
    </Badge>
  );
}
