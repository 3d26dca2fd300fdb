/** Calls of the Overview API (docs/api.md#overview). */
import { api } from "../../api/client";
import type { Overview, OverviewPeriod } from "../../api/types";

export const PERIODS: OverviewPeriod[] = [7, 14, 30, 90];

export const overviewKeys = {
  overview: (days: OverviewPeriod, flowId: string | null) => ["overview", days, flowId] as const,
};

export const overviewApi = {
  get: (days: OverviewPeriod, flowId: string | null) => {
    const params = new URLSearchParams({ days: String(days) });
    if (flowId) params.set("flow_id", flowId);
    return api.get<Overview>(`/api/overview?${params.toString()}`);
  },
};
