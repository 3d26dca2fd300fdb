import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { PageSpinner } from "../../components/Spinner";

// The builder (React Flow, dagre) is a separate chunk, loaded when a flow is opened.
const FlowBuilderPage = lazy(() => import("./FlowBuilderPage").then((m) => ({ default: m.FlowBuilderPage })));

export function FlowBuilderRoute() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<PageSpinner label={t("common.loading")} />}>
      <FlowBuilderPage />
    </Suspense>
  );
}
