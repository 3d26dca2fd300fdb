/**
 * /broadcasts/new: audience (with a live, debounced recipient count) → content (with what real
 * recipients would get) → schedule (now, or a time in the workspace's zone) → review → save as
 * draft or launch. The server has the last word: its errors (nobody in the audience, missing
 * template parameters, a time in the past) are shown on the step they are about.
 */
import { useMemo, useState } from "react";
import { Navigate, useNavigate, useParams } from "react-router";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { AlertTriangle, ArrowLeft, ArrowRight, Check, Users } from "lucide-react";
import type { AudiencePreviewRequest, Broadcast } from "../../api/types";
import { Button } from "../../components/Button";
import { Card, PageHeader } from "../../components/Card";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { cx } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { canManage, useSession } from "../auth/session";
import { broadcastKeys, broadcastsApi } from "./api";
import { AudienceStep } from "./AudienceStep";
import { ContentStep } from "./ContentStep";
import {
  audienceBody,
  contentBody,
  draftFromBroadcast,
  NEW_DRAFT,
  scheduleBody,
  STEPS,
  stepErrors,
  type AudienceDraft,
  type ContentDraft,
  type WizardDraft,
  type WizardStep,
} from "./model";
import { AudienceSummary, ContentSummary } from "./Summaries";

/** The live count waits for the audience to stop changing this long. */
export const PREVIEW_DEBOUNCE_MS = 400;

/** /broadcasts/new, and /broadcasts/:broadcastId/edit for a saved draft. */
export function BroadcastWizardPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const admin = canManage(useSession().role);
  const { broadcastId } = useParams();
  const saved = useQuery({
    queryKey: broadcastKeys.one(broadcastId ?? ""),
    queryFn: () => broadcastsApi.get(broadcastId ?? ""),
    enabled: Boolean(broadcastId) && admin,
  });
  if (!admin) return <Navigate to="/broadcasts" replace />;
  if (!broadcastId) return <Wizard initial={NEW_DRAFT} />;
  if (saved.isPending) return <PageSpinner label={t("common.loading")} />;
  if (saved.isError) return <FormError message={describe(saved.error)} />;
  // Only a draft can be edited; a launched one has its own page.
  if (saved.data.status !== "draft") return <Navigate to={`/broadcasts/${broadcastId}`} replace />;
  return <Wizard initial={draftFromBroadcast(saved.data)} />;
}

function Wizard({ initial }: { initial: WizardDraft }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<WizardStep>("audience");
  const [title, setTitle] = useState(initial.title);
  const [audience, setAudience] = useState<AudienceDraft>(initial.audience);
  const [content, setContent] = useState<ContentDraft>(initial.content);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState("");
  const [errors, setErrors] = useState<Partial<Record<WizardStep, string>>>({});
  // A launch refused after the draft was written (e.g. a past time) edits that same draft.
  const [draftId, setDraftId] = useState<string | null>(initial.id);

  const audienceIn = audienceBody(audience);
  const contentIn = contentBody(content);
  // Debounced as a string: the drafts are new objects on every render, their JSON is not.
  const previewJson = useDebounced(
    audienceIn ? JSON.stringify({ audience: audienceIn, content: contentIn ?? undefined, samples: 3 }) : "",
    PREVIEW_DEBOUNCE_MS,
  );
  const previewBody = useMemo(() => (previewJson ? (JSON.parse(previewJson) as AudiencePreviewRequest) : null), [previewJson]);
  const preview = useQuery({
    queryKey: broadcastKeys.preview(previewJson),
    queryFn: () => broadcastsApi.preview(previewBody!),
    enabled: previewBody !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });

  const save = useMutation({
    mutationFn: async (launch: boolean): Promise<Broadcast> => {
      const body = { title: title.trim() || null, audience: audienceIn, content: contentIn };
      const draft = draftId ? await broadcastsApi.update(draftId, body) : await broadcastsApi.create({ ...body, launch: false });
      setDraftId(draft.id);
      return launch ? broadcastsApi.launch(draft.id, scheduleBody(when, at)) : draft;
    },
    onSuccess: (broadcast, launch) => {
      void queryClient.invalidateQueries({ queryKey: broadcastKeys.all });
      toast.success(launch ? t("broadcasts.launched") : t("broadcasts.savedDraft"));
      void navigate(`/broadcasts/${broadcast.id}`);
    },
    onError: (error) => {
      const found = stepErrors(error, t("errors.generic"));
      setErrors(found);
      const first = STEPS.find((s) => found[s]);
      if (first) setStep(first);
    },
  });

  const ready: Record<WizardStep, boolean> = {
    audience: audienceIn !== null,
    content: contentIn !== null,
    schedule: when === "now" || at !== "",
    review: true,
  };
  const index = STEPS.indexOf(step);
  const go = (next: WizardStep) => {
    setErrors((e) => ({ ...e, [step]: undefined }));
    setStep(next);
  };
  const reachable = (s: WizardStep) => STEPS.slice(0, STEPS.indexOf(s)).every((x) => ready[x]);
  const p = preview.data;
  const previewError = preview.isError ? stepErrors(preview.error, t("errors.generic")).audience : undefined;

  return (
    <div className="space-y-4">
      <PageHeader
        title={initial.id ? t("broadcasts.wizard.editTitle") : t("broadcasts.wizard.title")}
        description={t("broadcasts.wizard.subtitle")}
      />
      <ol className="flex flex-wrap gap-2" data-testid="wizard-steps">
        {STEPS.map((s, i) => (
          <li key={s}>
            <button
              type="button"
              disabled={!reachable(s)}
              onClick={() => go(s)}
              data-testid={`wizard-step-${s}`}
              aria-current={s === step ? "step" : undefined}
              className={cx(
                "flex items-center gap-2 rounded-full px-3 py-1.5 text-sm disabled:opacity-50",
                s === step ? "bg-brand-600 text-white" : "bg-white text-zinc-700 ring-1 ring-zinc-200 hover:bg-zinc-50",
              )}
            >
              <span className={cx("flex size-5 items-center justify-center rounded-full text-xs", s === step ? "bg-white/20" : "bg-zinc-100")}>
                {i < index && ready[s] ? <Check className="size-3" aria-hidden /> : i + 1}
              </span>
              {t(`broadcasts.step.${s}`)}
              {errors[s] ? <span className="size-2 rounded-full bg-red-500" aria-label={t("broadcasts.wizard.stepHasError")} /> : null}
            </button>
          </li>
        ))}
      </ol>

      <div className="grid gap-4 lg:grid-cols-[1fr_18rem]">
        <Card className="space-y-4 p-5">
          {errors[step] ? (
            <div data-testid={`wizard-error-${step}`}>
              <FormError message={errors[step]} />
            </div>
          ) : null}
          {step === "audience" ? <AudienceStep draft={audience} onChange={setAudience} /> : null}
          {step === "content" ? <ContentStep draft={content} onChange={setContent} preview={p} /> : null}
          {step === "schedule" ? (
            <div className="max-w-md space-y-3" role="radiogroup" aria-label={t("broadcasts.step.schedule")}>
              {(["now", "later"] as const).map((mode) => (
                <label key={mode} className="flex items-center gap-2 text-sm">
                  <input type="radio" name="when" checked={when === mode} onChange={() => setWhen(mode)} data-testid={`schedule-${mode}`} />
                  {t(`broadcasts.schedule.${mode}`)}
                </label>
              ))}
              {when === "later" ? (
                <Field name="scheduled_at" label={t("broadcasts.schedule.at")} hint={t("broadcasts.schedule.zone", { zone: p?.timezone ?? "UTC" })}>
                  <Input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} data-testid="schedule-at" />
                </Field>
              ) : null}
            </div>
          ) : null}
          {step === "review" ? (
            <div className="space-y-4" data-testid="wizard-review">
              <Field name="title" label={t("broadcasts.review.name")}>
                <Input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={t("broadcasts.review.namePlaceholder")} data-testid="broadcast-name" maxLength={255} />
              </Field>
              <div className="grid gap-3 sm:grid-cols-3">
                <AudienceSummary audience={audienceIn ?? {}} uploadName={audience.upload?.file_name} />
                <ContentSummary content={contentIn ?? {}} />
                <div>
                  <p className="text-xs font-medium text-zinc-500">{t("broadcasts.step.schedule")}</p>
                  <p className="text-sm text-zinc-900" data-testid="summary-schedule">
                    {when === "now" ? t("broadcasts.schedule.now") : t("broadcasts.schedule.laterAt", { at: at.replace("T", " "), zone: p?.timezone ?? "UTC" })}
                  </p>
                </div>
              </div>
              {p?.warnings.map((w) => (
                <p key={w} data-testid="wizard-tier-warning" className="flex gap-2 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                  <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
                  {w}
                </p>
              ))}
            </div>
          ) : null}

          <div className="flex items-center justify-between border-t border-zinc-100 pt-4">
            <Button icon={<ArrowLeft className="size-4" aria-hidden />} disabled={index === 0} onClick={() => go(STEPS[index - 1])}>
              {t("broadcasts.wizard.back")}
            </Button>
            {step === "review" ? (
              <div className="flex gap-2">
                <Button loading={save.isPending && save.variables === false} disabled={save.isPending} onClick={() => save.mutate(false)} data-testid="wizard-save-draft">
                  {t("broadcasts.wizard.saveDraft")}
                </Button>
                <Button variant="primary" loading={save.isPending && save.variables === true} disabled={save.isPending} onClick={() => save.mutate(true)} data-testid="wizard-launch">
                  {when === "now" ? t("broadcasts.wizard.launch") : t("broadcasts.wizard.schedule")}
                </Button>
              </div>
            ) : (
              <Button variant="primary" disabled={!ready[step]} onClick={() => go(STEPS[index + 1])} data-testid="wizard-next">
                {t("broadcasts.wizard.next")}
                <ArrowRight className="size-4" aria-hidden />
              </Button>
            )}
          </div>
        </Card>

        <Card className="h-fit space-y-2 p-4" data-testid="audience-count">
          <p className="flex items-center gap-2 text-xs font-medium text-zinc-500">
            <Users className="size-4" aria-hidden />
            {t("broadcasts.count.title")}
          </p>
          {previewError ? (
            <p className="text-sm text-red-700" data-testid="audience-count-error">{previewError}</p>
          ) : p && previewBody ? (
            <>
              <p className="text-2xl font-semibold text-zinc-900 tabular-nums" data-testid="audience-count-unique">
                {p.unique.toLocaleString()}
              </p>
              <p className="text-xs text-zinc-500">{t("broadcasts.count.recipients", { count: p.unique })}</p>
              <ul className="space-y-0.5 text-xs text-zinc-600">
                <li data-testid="audience-count-matched">{t("broadcasts.count.matched", { count: p.matched })}</li>
                {p.opted_out > 0 ? <li data-testid="audience-count-opted-out">{t("broadcasts.count.optedOut", { count: p.opted_out })}</li> : null}
                {p.window_closed > 0 ? <li>{t("broadcasts.count.windowClosed", { count: p.window_closed })}</li> : null}
              </ul>
            </>
          ) : (
            <p className="text-sm text-zinc-500">{audienceIn ? t("common.loading") : t("broadcasts.count.choose")}</p>
          )}
        </Card>
      </div>
    </div>
  );
}
