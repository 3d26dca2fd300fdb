/**
 * Settings → Templates: the WhatsApp Business Account's message templates, with their review
 * status (and Meta's reason for a rejection), a Sync button, a create form and delete.
 * Everyone sees the list; owners and admins sync, create and delete.
 */
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { FileText, Plus, RefreshCw, Search, Trash2 } from "lucide-react";
import type { MessageTemplate } from "../../../api/types";
import { Badge, type Tone } from "../../../components/Badge";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { ConfirmDialog } from "../../../components/Dialog";
import { EmptyState } from "../../../components/EmptyState";
import { Input } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { PageSpinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage } from "../../../lib/errors";
import { canManage, useSession } from "../../auth/session";
import { templateKeys, templatesApi } from "../../templates/api";
import { renderPreview } from "../../templates/render";
import { ReadOnlyNotice } from "../SettingsLayout";
import { CreateTemplateForm } from "./CreateTemplateForm";

const STATUS_TONES: Record<string, Tone> = {
  APPROVED: "green",
  PENDING: "blue",
  IN_APPEAL: "blue",
  REJECTED: "red",
  DISABLED: "red",
  PAUSED: "amber",
  FLAGGED: "amber",
  LIMIT_EXCEEDED: "amber",
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge tone={STATUS_TONES[status] ?? "zinc"} dot data-testid="template-status">
      {t(`templates.status.${status}`, status)}
    </Badge>
  );
}

export function TemplatesSettingsPage() {
  const { t } = useTranslation();
  const manager = canManage(useSession().role);
  const [creating, setCreating] = useState(false);
  return (
    <div className="space-y-6">
      {manager ? null : <ReadOnlyNotice>{t("templates.readOnly")}</ReadOnlyNotice>}
      {creating ? <CreateTemplateForm onDone={() => setCreating(false)} /> : null}
      <TemplateList manager={manager} onCreate={creating ? null : () => setCreating(true)} />
    </div>
  );
}

function TemplateList({ manager, onCreate }: { manager: boolean; onCreate: (() => void) | null }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const describe = useErrorMessage();
  const [query, setQuery] = useState("");
  const [deleting, setDeleting] = useState<MessageTemplate | null>(null);
  const list = useQuery({
    queryKey: templateKeys.list({}),
    queryFn: () => templatesApi.list(),
    // Meta's verdict arrives by webhook: look again while a template is in review.
    refetchInterval: (query) => (query.state.data?.templates.some((tpl) => tpl.status === "PENDING") ? 5000 : false),
  });
  const all = list.data?.templates;
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (all ?? []).filter((tpl) => !q || tpl.name.includes(q));
  }, [all, query]);

  const sync = useMutation({
    mutationFn: () => templatesApi.sync(),
    onSuccess: (result) => {
      toast.success(t("templates.sync.done", result));
      void queryClient.invalidateQueries({ queryKey: templateKeys.all });
    },
    onError: (error) => toast.error(describe(error)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => templatesApi.remove(id),
    onSuccess: () => {
      toast.success(t("templates.deleted", { name: deleting?.name ?? "" }));
      setDeleting(null);
      void queryClient.invalidateQueries({ queryKey: templateKeys.all });
    },
    onError: (error) => {
      setDeleting(null);
      toast.error(describe(error));
    },
  });

  const actions = manager ? (
    <div className="flex gap-2">
      <Button
        size="sm"
        data-testid="templates-sync"
        loading={sync.isPending}
        icon={<RefreshCw className="size-4" aria-hidden />}
        onClick={() => sync.mutate()}
      >
        {t("templates.sync.button")}
      </Button>
      {onCreate ? (
        <Button size="sm" variant="primary" data-testid="templates-new" icon={<Plus className="size-4" aria-hidden />} onClick={onCreate}>
          {t("templates.create.open")}
        </Button>
      ) : null}
    </div>
  ) : null;

  return (
    <Card>
      <CardHeader title={t("templates.title")} description={t("templates.description")} actions={actions} />
      {list.isPending ? (
        <PageSpinner label={t("common.loading")} />
      ) : list.isError ? (
        <div className="p-5">
          <FormError message={describe(list.error)} />
        </div>
      ) : list.data.templates.length === 0 ? (
        <div className="p-5">
          <EmptyState
            icon={FileText}
            title={t("templates.emptyTitle")}
            description={manager ? t("templates.emptyBody") : t("templates.emptyBodyReadOnly")}
            className="border-none py-8"
          />
        </div>
      ) : (
        <>
          <div className="border-b border-zinc-100 px-5 py-3">
            <div className="relative max-w-sm">
              <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
              <Input
                type="search"
                data-testid="templates-search"
                aria-label={t("templates.search")}
                placeholder={t("templates.search")}
                className="pl-9"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            </div>
          </div>
          <ul className="divide-y divide-zinc-100" data-testid="templates-list">
            {shown.map((template) => (
              <li
                key={template.id}
                data-testid="template-row"
                data-name={template.name}
                className="flex flex-col gap-2 px-5 py-3 sm:flex-row sm:items-start sm:gap-4"
              >
                <div className="min-w-0 sm:w-64 sm:shrink-0">
                  <p className="truncate font-mono text-xs font-semibold text-zinc-900">{template.name}</p>
                  <p className="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
                    <StatusBadge status={template.status} />
                    <span>{template.language}</span>
                    <span>· {t(`templates.category.${template.category}`, template.category)}</span>
                  </p>
                </div>
                <div className="min-w-0 flex-1 text-sm">
                  {template.components.length === 0 ? (
                    <p className="text-zinc-400 italic">{t("templates.notSynced")}</p>
                  ) : (
                    <p className="line-clamp-3 break-words whitespace-pre-wrap text-zinc-700">{renderPreview(template, {}).body}</p>
                  )}
                  {template.rejected_reason ? (
                    <p data-testid="template-reason" className="mt-1 text-xs text-red-700">
                      {template.rejected_reason}
                    </p>
                  ) : null}
                </div>
                {manager ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    data-testid="template-delete"
                    aria-label={t("templates.deleteFor", { name: template.name })}
                    className="shrink-0 text-red-700 hover:bg-red-50"
                    icon={<Trash2 className="size-4" aria-hidden />}
                    onClick={() => setDeleting(template)}
                  >
                    <span className="hidden sm:inline">{t("templates.delete")}</span>
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t("templates.deleteTitle")}
        description={t("templates.deleteBody", { name: deleting?.name ?? "", language: deleting?.language ?? "" })}
        confirmLabel={t("templates.delete")}
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}
