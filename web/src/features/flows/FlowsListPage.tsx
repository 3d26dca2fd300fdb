/** /flows: the workspace's flows with create, import, activate, duplicate, default and delete. */
import { useMemo, useRef, useState, type ChangeEvent, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Copy, Download, Ellipsis, Plus, Power, Search, Star, Trash2, Upload, Workflow } from "lucide-react";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Card, PageHeader } from "../../components/Card";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage, useFormErrors } from "../../lib/errors";
import { cx, formatDate, formatDateTime } from "../../lib/format";
import { flowKeys, flowsApi } from "./api";
import { defaultData, type DefaultText } from "./catalog";
import { downloadJson, exportFileName } from "./format";
import { StatusBadge } from "./StatusBadge";
import type { FlowDefinition, FlowStatus, FlowSummary } from "./types";
import { usePopover } from "../../lib/usePopover";

type Filter = "all" | FlowStatus;
const FILTERS: Filter[] = ["all", "Active", "Draft", "Inactive"];

function fold(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

/** What a new flow starts with: a trigger and a welcome message. */
export function starterDefinition(text: (key: DefaultText) => string): FlowDefinition {
  return {
    version: 2,
    nodes: [
      { id: "n1", type: "trigger", position: { x: 0, y: 0 }, data: defaultData("trigger", text) },
      { id: "n2", type: "message", position: { x: 0, y: 176 }, data: defaultData("message", text) },
    ],
    edges: [{ id: "e-n1-out-n2", source: "n1", target: "n2", sourceHandle: null }],
  };
}

export function FlowsListPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const flows = useQuery({ queryKey: flowKeys.list, queryFn: flowsApi.list });
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);
  const [filter, setFilter] = useState<Filter>("all");
  const [query, setQuery] = useState("");
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: flowKeys.all });

  const importFlow = useMutation({
    mutationFn: (body: unknown) => flowsApi.import(body),
    onSuccess: (flow) => {
      toast.success(t("flows.list.toast.imported", { name: flow.name }));
      void refresh();
      if (flow.id) void navigate(`/flows/${encodeURIComponent(flow.id)}`);
    },
    onError: (error) => toast.error(describe(error)),
  });

  const update = useMutation({
    mutationFn: ({ flow, body }: { flow: FlowSummary; body: Parameters<typeof flowsApi.update>[1] }) =>
      flowsApi.update(flow.id, body),
    onSuccess: (_data, { flow, body }) => {
      if (body.status === "Active") toast.success(t("flows.list.toast.activated", { name: flow.name }));
      else if (body.status === "Inactive") toast.success(t("flows.list.toast.deactivated", { name: flow.name }));
      else if (body.is_default) toast.success(t("flows.list.toast.defaultSet", { name: flow.name }));
      else if (body.is_default === false) toast.success(t("flows.list.toast.defaultUnset", { name: flow.name }));
      void refresh();
    },
    onError: (error) => {
      toast.error(describe(error));
      void refresh();
    },
  });

  const duplicate = useMutation({
    mutationFn: (flow: FlowSummary) => flowsApi.duplicate(flow.id),
    onSuccess: (copy) => {
      toast.success(t("flows.list.toast.duplicated", { name: copy.name }));
      void refresh();
    },
    onError: (error) => toast.error(describe(error)),
  });

  const exportFlow = useMutation({
    mutationFn: (flow: FlowSummary) => flowsApi.export(flow.id),
    onSuccess: (data, flow) => downloadJson(data, exportFileName(flow.name)),
    onError: (error) => toast.error(describe(error)),
  });

  const remove = useMutation({
    mutationFn: (flow: FlowSummary) => flowsApi.remove(flow.id),
    onSuccess: (_data, flow) => {
      setDeleting(null);
      toast.success(t("flows.list.toast.deleted", { name: flow.name }));
      void refresh();
    },
    onError: (error) => {
      setDeleting(null);
      toast.error(describe(error));
    },
  });

  const onImportFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      toast.error(t("flows.list.toast.importInvalid"));
      return;
    }
    importFlow.mutate(body);
  };

  const visible = useMemo(() => {
    const q = fold(query.trim());
    return (flows.data ?? []).filter(
      (f) =>
        (filter === "all" || f.status === filter) &&
        (!q || fold(f.name).includes(q) || fold(f.trigger ?? "").includes(q)),
    );
  }, [flows.data, filter, query]);

  const actions = (
    <>
      <input ref={fileInput} type="file" accept="application/json,.json" className="hidden" data-testid="flows-import-file" onChange={(e) => void onImportFile(e)} />
      <Button
        data-testid="flows-import"
        loading={importFlow.isPending}
        icon={<Upload className="size-4" aria-hidden />}
        onClick={() => fileInput.current?.click()}
      >
        {t("flows.list.import")}
      </Button>
      <Button variant="primary" data-testid="flows-create" icon={<Plus className="size-4" aria-hidden />} onClick={() => setCreating(true)}>
        {t("flows.list.new")}
      </Button>
    </>
  );

  let content;
  if (flows.isPending) content = <PageSpinner label={t("common.loading")} />;
  else if (flows.isError) content = <FormError message={describe(flows.error)} />;
  else if (flows.data.length === 0)
    content = (
      <EmptyState icon={Workflow} title={t("flows.list.emptyTitle")} description={t("flows.list.emptyBody")}>
        <Button variant="primary" data-testid="flows-empty-create" icon={<Plus className="size-4" aria-hidden />} onClick={() => setCreating(true)}>
          {t("flows.list.emptyCta")}
        </Button>
        <Button icon={<Upload className="size-4" aria-hidden />} onClick={() => fileInput.current?.click()}>
          {t("flows.list.import")}
        </Button>
      </EmptyState>
    );
  else
    content = (
      <Card>
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-4 py-3">
          <div role="tablist" aria-label={t("flows.list.filterLabel")} className="flex rounded-lg bg-zinc-100 p-0.5">
            {FILTERS.map((f) => {
              const count = f === "all" ? flows.data.length : flows.data.filter((x) => x.status === f).length;
              return (
                <button
                  key={f}
                  type="button"
                  role="tab"
                  aria-selected={filter === f}
                  data-testid={`flows-filter-${f}`}
                  onClick={() => setFilter(f)}
                  className={cx(
                    "rounded-md px-2.5 py-1 text-xs font-medium transition-colors",
                    filter === f ? "bg-white text-zinc-900 shadow-sm" : "text-zinc-500 hover:text-zinc-800",
                  )}
                >
                  {f === "all" ? t("flows.list.filterAll") : t(`flows.status.${f}`)}
                  <span className="ml-1 text-zinc-400 tabular-nums">{count}</span>
                </button>
              );
            })}
          </div>
          <div className="relative w-full sm:w-64">
            <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
            <input
              type="search"
              data-testid="flows-search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder={t("flows.list.search")}
              aria-label={t("flows.list.search")}
              className="h-8 w-full rounded-lg border border-zinc-300 bg-white pr-3 pl-8 text-sm placeholder:text-zinc-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
            />
          </div>
        </div>
        {visible.length === 0 ? (
          <p className="px-5 py-10 text-center text-sm text-zinc-500" data-testid="flows-no-matches">
            {t("flows.list.noMatches")}
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="flows-table">
              <thead className="border-b border-zinc-100 text-xs whitespace-nowrap text-zinc-500">
                <tr>
                  <th scope="col" className="px-5 py-2.5 font-medium">{t("flows.list.columns.name")}</th>
                  <th scope="col" className="px-3 py-2.5 font-medium">{t("flows.list.columns.status")}</th>
                  <th scope="col" className="px-3 py-2.5 font-medium">{t("flows.list.columns.triggers")}</th>
                  <th scope="col" className="px-3 py-2.5 text-right font-medium">{t("flows.list.columns.sessions")}</th>
                  <th scope="col" className="hidden px-3 py-2.5 font-medium md:table-cell">{t("flows.list.columns.updated")}</th>
                  <th scope="col" className="px-5 py-2.5 text-right font-medium">
                    <span className="sr-only">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {visible.map((flow) => (
                  <FlowRow
                    key={flow.id}
                    flow={flow}
                    busy={update.isPending && update.variables?.flow.id === flow.id}
                    onToggle={() => update.mutate({ flow, body: { status: flow.status === "Active" ? "Inactive" : "Active" } })}
                    onDefault={() => update.mutate({ flow, body: { is_default: !flow.is_default } })}
                    onDuplicate={() => duplicate.mutate(flow)}
                    onExport={() => exportFlow.mutate(flow)}
                    onDelete={() => setDeleting(flow)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    );

  return (
    <div>
      <PageHeader title={t("flows.title")} description={t("flows.subtitle")} actions={flows.data && flows.data.length > 0 ? actions : undefined} />
      {content}
      <CreateFlowDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={deleting !== null}
        title={t("flows.list.deleteTitle")}
        description={t("flows.list.deleteBody", { name: deleting?.name ?? "" })}
        confirmLabel={t("common.delete")}
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

function Triggers({ value }: { value: string | null }) {
  const { t } = useTranslation();
  const keywords = (value ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  if (keywords.length === 0) return <span className="text-xs text-zinc-400">{t("flows.list.noTrigger")}</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {keywords.slice(0, 3).map((k) => (
        <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700">
          {k}
        </code>
      ))}
      {keywords.length > 3 ? <span className="text-xs text-zinc-400">+{keywords.length - 3}</span> : null}
    </span>
  );
}

function FlowRow({
  flow,
  busy,
  onToggle,
  onDefault,
  onDuplicate,
  onExport,
  onDelete,
}: {
  flow: FlowSummary;
  busy: boolean;
  onToggle: () => void;
  onDefault: () => void;
  onDuplicate: () => void;
  onExport: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const active = flow.status === "Active";
  return (
    <tr data-testid="flow-row" data-id={flow.id} data-name={flow.name} className="group hover:bg-zinc-50/70">
      <td className="px-5 py-3">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <Link to={`/flows/${encodeURIComponent(flow.id)}`} className="font-medium text-zinc-900 hover:text-brand-700 hover:underline" data-testid="flow-row-open">
            {flow.name}
          </Link>
          {flow.is_default ? (
            <Badge tone="blue" data-testid="flow-row-default">
              <Star className="size-3" aria-hidden />
              {t("flows.list.default")}
            </Badge>
          ) : null}
        </div>
        <p className="mt-0.5 text-xs text-zinc-500">
          {flow.published_version
            ? t("flows.list.publishedVersion", { version: flow.published_version })
            : t("flows.list.neverPublished")}
        </p>
      </td>
      <td className="px-3 py-3">
        <StatusBadge status={flow.status} />
      </td>
      <td className="px-3 py-3">
        <Triggers value={flow.trigger} />
      </td>
      <td className="px-3 py-3 text-right tabular-nums" data-testid="flow-row-sessions">
        {flow.live_sessions > 0 ? (
          <span className="font-medium text-zinc-900">{flow.live_sessions}</span>
        ) : (
          <span className="text-zinc-400">0</span>
        )}
      </td>
      <td className="hidden px-3 py-3 whitespace-nowrap text-zinc-500 md:table-cell" title={flow.updated_at ? formatDateTime(flow.updated_at) : undefined}>
        {flow.updated_at ? formatDate(flow.updated_at) : "—"}
      </td>
      <td className="px-5 py-3">
        <div className="flex items-center justify-end gap-1.5">
          <Button
            size="sm"
            data-testid="flow-row-toggle"
            loading={busy}
            icon={<Power className={cx("size-3.5", active ? "text-zinc-500" : "text-brand-600")} aria-hidden />}
            onClick={onToggle}
          >
            {active ? t("flows.list.deactivate") : t("flows.list.activate")}
          </Button>
          <RowMenu
            flow={flow}
            onDefault={onDefault}
            onDuplicate={onDuplicate}
            onExport={onExport}
            onDelete={onDelete}
          />
        </div>
      </td>
    </tr>
  );
}

function RowMenu({
  flow,
  onDefault,
  onDuplicate,
  onExport,
  onDelete,
}: {
  flow: FlowSummary;
  onDefault: () => void;
  onDuplicate: () => void;
  onExport: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const { open, setOpen, root, menuId } = usePopover();

  const item = (label: string, icon: ReactNode, onClick: () => void, testId: string, danger = false) => (
    <button
      type="button"
      role="menuitem"
      data-testid={testId}
      onClick={() => {
        setOpen(false);
        onClick();
      }}
      className={cx(
        "flex w-full items-center gap-2 rounded-md px-2.5 py-1.5 text-left text-sm",
        danger ? "text-red-700 hover:bg-red-50" : "text-zinc-700 hover:bg-zinc-100",
      )}
    >
      {icon}
      {label}
    </button>
  );

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        data-testid="flow-row-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={t("flows.list.moreActions", { name: flow.name })}
        onClick={() => setOpen((v) => !v)}
        className="flex size-8 items-center justify-center rounded-lg text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
      >
        <Ellipsis className="size-4" aria-hidden />
      </button>
      {open ? (
        <div id={menuId} role="menu" className="absolute right-0 z-30 mt-1 w-52 rounded-lg border border-zinc-200 bg-white p-1 shadow-lg">
          {item(t("flows.list.duplicate"), <Copy className="size-4 text-zinc-400" aria-hidden />, onDuplicate, "flow-row-duplicate")}
          {item(
            flow.is_default ? t("flows.list.unsetDefault") : t("flows.list.setDefault"),
            <Star className="size-4 text-zinc-400" aria-hidden />,
            onDefault,
            "flow-row-default-toggle",
          )}
          {item(t("flows.list.export"), <Download className="size-4 text-zinc-400" aria-hidden />, onExport, "flow-row-export")}
          <div className="my-1 border-t border-zinc-100" />
          {item(t("common.delete"), <Trash2 className="size-4" aria-hidden />, onDelete, "flow-row-delete", true)}
        </div>
      ) : null}
    </div>
  );
}

function CreateFlowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [name, setName] = useState("");

  const create = useMutation({
    mutationFn: (flowName: string) =>
      flowsApi.create({ name: flowName, definition: starterDefinition((k) => t(`flows.defaults.${k}`)) }),
    onSuccess: (flow) => {
      void queryClient.invalidateQueries({ queryKey: flowKeys.all });
      setName("");
      onClose();
      void navigate(`/flows/${encodeURIComponent(flow.id)}`);
    },
    onError: errors.fromError,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    const value = name.trim();
    if (value) create.mutate(value);
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("flows.list.create.title")}
      description={t("flows.list.create.description")}
      testId="flow-create-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button
            variant="primary"
            type="submit"
            form="flow-create-form"
            data-testid="flow-create-submit"
            loading={create.isPending}
            disabled={!name.trim()}
          >
            {t("flows.list.create.submit")}
          </Button>
        </>
      }
    >
      <form id="flow-create-form" onSubmit={submit} noValidate className="space-y-3">
        {errors.message && create.isError ? <FormError message={errors.message} /> : null}
        <Field name="name" label={t("flows.list.create.name")} error={errors.fields.name}>
          <Input
            data-testid="flow-create-name"
            data-autofocus
            autoComplete="off"
            maxLength={120}
            placeholder={t("flows.list.create.namePlaceholder")}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
