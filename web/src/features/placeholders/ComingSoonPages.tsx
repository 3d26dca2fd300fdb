import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { Megaphone, Users, Workflow, type LucideIcon } from "lucide-react";
import { buttonClasses } from "../../components/Button";
import { PageHeader } from "../../components/Card";
import { EmptyState } from "../../components/EmptyState";

type Area = "flows" | "contacts" | "broadcasts";

const ICONS: Record<Area, LucideIcon> = {
  flows: Workflow,
  contacts: Users,
  broadcasts: Megaphone,
};

function AreaPage({ area }: { area: Area }) {
  const { t } = useTranslation();
  return (
    <div>
      <PageHeader title={t(`nav.${area}`)} description={t(`areas.${area}.subtitle`)} />
      <EmptyState icon={ICONS[area]} title={t(`areas.${area}.emptyTitle`)} description={t(`areas.${area}.emptyBody`)}>
        <Link to="/settings/whatsapp" className={buttonClasses("primary")}>
          {t("areas.connectNumber")}
        </Link>
        <a href="/docs" target="_blank" rel="noreferrer" className={buttonClasses("secondary")}>
          {t("shell.apiReference")}
        </a>
      </EmptyState>
    </div>
  );
}

export const BroadcastsPage = () => <AreaPage area="broadcasts" />;
