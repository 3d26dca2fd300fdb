/** The flow builder: palette, React Flow canvas, inspector, problems, versions and simulator. */
import "@xyflow/react/dist/style.css";
import "./flows.css";
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type DragEvent, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  ConnectionLineType,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import {
  AlertCircle,
  ArrowLeft,
  ChartColumn,
  Check,
  CircleDot,
  ClipboardPaste,
  Copy,
  Download,
  History,
  LayoutGrid,
  Maximize,
  Play,
  Redo2,
  Rocket,
  ShieldCheck,
  Trash2,
  Undo2,
  Upload,
  Zap,
} from "lucide-react";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { ConfirmDialog } from "../../components/Dialog";
import { FormError } from "../../components/FormError";
import { PageSpinner, Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { cx, formatDateTime } from "../../lib/format";
import { flowKeys, flowsApi, normalizeDefinition, normalizeProblems, problemsOf } from "./api";
import { BuilderOverlayContext, type BuilderOverlay } from "./BuilderContext";
import { decorateEdges, minimapColor, nodeTypes, pathEdgeIds } from "./canvas";
import { defaultData, specOf, type DefaultText } from "./catalog";
import { CLIPBOARD_STORAGE_KEY, copySelection, isClipboardData, pasteClipboard, type ClipboardData } from "./clipboard";
import { FitOnInit } from "./FitOnInit";
import { definitionFromFile, downloadJson, exportFileName } from "./format";
import {
  collectVariables,
  connect,
  fromDefinition,
  isValidConnection,
  nodeIdGenerator,
  reconcileEdges,
  toDefinition,
  triggerKeywords,
  type Graph,
} from "./graph";
import { deriveHandles, handleKey, hasNamedExits, hasTargetHandle } from "./handles";
import { UndoHistory } from "./history";
import { Inspector, type ChangeOptions } from "./inspector/Inspector";
import { VariablesContext } from "./inspector/controls";
import { autoLayout, NODE_WIDTH, nodeSize } from "./layout";
import { worstSeverity } from "./limits";
import { DND_MIME, Palette } from "./Palette";
import { ProblemsPanel, type ProblemsSource } from "./ProblemsPanel";
import { SimulatorPanel, type SimulationState } from "./SimulatorPanel";
import { StatusBadge } from "./StatusBadge";
import { VersionsDrawer } from "./VersionsDrawer";
import { isNodeType, type FlowDetail, type FlowEdge, type FlowNode, type NodeData, type NodeType, type Problem, type Severity } from "./types";

/** Autosave delay after the last change. */
export const AUTOSAVE_DELAY_MS = 1500;

type SaveState = "saved" | "dirty" | "saving" | "error";

export function FlowBuilderPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { flowId = "" } = useParams();
  const flow = useQuery({ queryKey: flowKeys.detail(flowId), queryFn: () => flowsApi.get(flowId), staleTime: 0 });
  const [initial, setInitial] = useState<FlowDetail | null>(null);
  useEffect(() => {
    if (flow.data && (!initial || initial.id !== flow.data.id)) setInitial(flow.data);
  }, [flow.data, initial]);

  if (flow.isError && !initial) {
    return (
      <div className="mx-auto max-w-lg space-y-4 px-6 py-16">
        <FormError message={describe(flow.error)} />
        <Link to="/flows" className="inline-flex items-center gap-1.5 text-sm font-medium text-brand-700 hover:underline">
          <ArrowLeft className="size-4" aria-hidden />
          {t("flows.builder.back")}
        </Link>
      </div>
    );
  }
  if (!initial || initial.id !== flowId) return <PageSpinner label={t("common.loading")} />;
  return (
    <ReactFlowProvider>
      <Builder key={initial.id} initial={initial} />
    </ReactFlowProvider>
  );
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

function Builder({ initial }: { initial: FlowDetail }) {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const rf = useReactFlow<FlowNode, FlowEdge>();
  const flowId = initial.id;
  const meta = useQuery({ queryKey: flowKeys.detail(flowId), queryFn: () => flowsApi.get(flowId) });
  const flow = meta.data ?? initial;
  const flows = useQuery({ queryKey: flowKeys.list, queryFn: flowsApi.list });

  // ------------------------------------------------------------------ graph state + history
  const baseRef = useRef(initial.definition);
  const [graph, setGraphState] = useState<Graph>(() => fromDefinition(initial.definition));
  const graphRef = useRef(graph);
  const historyRef = useRef(new UndoHistory<Graph>());
  const [, setHistoryVersion] = useState(0);

  const setGraph = useCallback((next: Graph | ((g: Graph) => Graph), options: { record?: boolean; key?: string } = {}) => {
    const previous = graphRef.current;
    const value = typeof next === "function" ? next(previous) : next;
    if (value === previous) return;
    if (options.record) {
      historyRef.current.record(previous, options.key);
      setHistoryVersion((v) => v + 1);
    }
    graphRef.current = value;
    setGraphState(value);
  }, []);

  const undo = useCallback(() => {
    const previous = historyRef.current.undo(graphRef.current);
    if (!previous) return;
    graphRef.current = previous;
    setGraphState(previous);
    setHistoryVersion((v) => v + 1);
  }, []);

  const redo = useCallback(() => {
    const next = historyRef.current.redo(graphRef.current);
    if (!next) return;
    graphRef.current = next;
    setGraphState(next);
    setHistoryVersion((v) => v + 1);
  }, []);

  // ------------------------------------------------------------------ autosave
  const definitionJson = useMemo(() => JSON.stringify(toDefinition(graph, baseRef.current)), [graph]);
  const jsonRef = useRef(definitionJson);
  jsonRef.current = definitionJson;
  const savedJsonRef = useRef(definitionJson);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const inflight = useRef<Promise<boolean> | null>(null);
  const [problems, setProblems] = useState<{ list: Problem[]; source: ProblemsSource } | null>(null);
  const [problemsOpen, setProblemsOpen] = useState(false);

  const showProblems = useCallback((list: Problem[], source: ProblemsSource, open = true) => {
    setProblems({ list, source });
    if (open) setProblemsOpen(true);
  }, []);

  const saveNow = useCallback(async (): Promise<boolean> => {
    while (inflight.current) await inflight.current;
    const json = jsonRef.current;
    if (json === savedJsonRef.current) {
      setSaveState("saved");
      return true;
    }
    setSaveState("saving");
    const request = flowsApi.update(flowId, { definition: JSON.parse(json) }).then(
      (response) => {
        savedJsonRef.current = json;
        setSavedAt(new Date());
        setSaveError(null);
        setSaveState(jsonRef.current === json ? "saved" : "dirty");
        // The answer lists what still needs work (incomplete / warnings): keep the list current.
        const warnings = normalizeProblems((response as { warnings?: unknown } | undefined)?.warnings);
        setProblems({ list: warnings, source: "draft" });
        return true;
      },
      (error: unknown) => {
        setSaveState("error");
        setSaveError(describe(error));
        const list = problemsOf(error);
        if (list.length > 0) showProblems(list, "save");
        return false;
      },
    );
    inflight.current = request;
    try {
      return await request;
    } finally {
      inflight.current = null;
    }
  }, [flowId, describe, showProblems]);

  useEffect(() => {
    if (definitionJson === savedJsonRef.current) {
      // Back to what the server has (e.g. a change undone before it was saved).
      setSaveState((s) => (s === "dirty" || s === "error" ? "saved" : s));
      setSaveError(null);
      setProblems((current) => (current?.source === "save" ? null : current));
      return;
    }
    setSaveState((s) => (s === "saving" ? s : "dirty"));
    const timer = window.setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [definitionJson, saveNow]);

  // Warn before leaving with unsaved changes; save what is left when the builder closes.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (jsonRef.current !== savedJsonRef.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      if (jsonRef.current !== savedJsonRef.current) {
        void flowsApi.update(flowId, { definition: JSON.parse(jsonRef.current) }).catch(() => undefined);
      }
    };
  }, [flowId]);

  // ------------------------------------------------------------------ editing
  const canvasRef = useRef<HTMLDivElement>(null);
  const defaultText = useCallback((key: DefaultText) => t(`flows.defaults.${key}`), [t]);

  const freePosition = useCallback((nodes: FlowNode[], start: XYPosition): XYPosition => {
    const position = { ...start };
    for (let i = 0; i < 40; i += 1) {
      const clash = nodes.some((n) => {
        const size = nodeSize(n);
        return (
          position.x < n.position.x + size.width &&
          position.x + NODE_WIDTH > n.position.x &&
          position.y < n.position.y + size.height &&
          position.y + 120 > n.position.y
        );
      });
      if (!clash) break;
      position.y += 48;
    }
    return position;
  }, []);

  /** Pans (keeping the zoom) so that a node is on screen. */
  const ensureVisible = useCallback(
    (id: string) => {
      const node = graphRef.current.nodes.find((n) => n.id === id);
      const rect = canvasRef.current?.getBoundingClientRect();
      if (!node || !rect) return;
      const size = nodeSize(node);
      const topLeft = rf.flowToScreenPosition(node.position);
      const bottomRight = rf.flowToScreenPosition({ x: node.position.x + size.width, y: node.position.y + size.height });
      const margin = 24;
      const inside =
        topLeft.x >= rect.left + margin &&
        topLeft.y >= rect.top + margin &&
        bottomRight.x <= rect.right - margin &&
        bottomRight.y <= rect.bottom - margin;
      if (!inside) {
        void rf.setCenter(node.position.x + size.width / 2, node.position.y + size.height / 2, {
          zoom: rf.getZoom(),
          duration: 300,
        });
      }
    },
    [rf],
  );

  const addNode = useCallback(
    (type: NodeType, at?: XYPosition) => {
      const g = graphRef.current;
      const id = nodeIdGenerator(g.nodes.map((n) => n.id))();
      let edges = g.edges;
      let position: XYPosition;
      const selected = g.nodes.filter((n) => n.selected);
      const anchor = !at && selected.length === 1 ? selected[0] : null;
      const handles = anchor ? deriveHandles(anchor.type, anchor.data) : [];
      const free = anchor
        ? handles.find((h) => !g.edges.some((e) => e.source === anchor.id && handleKey(e.sourceHandle) === handleKey(h.id)))
        : undefined;
      if (at) {
        position = at;
      } else if (anchor && free && hasTargetHandle(type)) {
        // Click-to-add continues from the selected block's first free exit.
        const size = nodeSize(anchor);
        const index = hasNamedExits(handles) ? handles.indexOf(free) : 0;
        position = freePosition(g.nodes, { x: anchor.position.x + index * (NODE_WIDTH + 40), y: anchor.position.y + size.height + 80 });
        const result = connect(edges, { source: anchor.id, sourceHandle: free.id, target: id, targetHandle: null });
        if (result.ok) edges = result.edges;
      } else {
        const rect = canvasRef.current?.getBoundingClientRect();
        const center = rect
          ? rf.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 3 })
          : { x: 0, y: 0 };
        position = freePosition(g.nodes, { x: center.x - NODE_WIDTH / 2, y: center.y - 40 });
      }
      const node: FlowNode = { id, type, position, data: defaultData(type, defaultText), selected: true };
      setGraph(
        {
          nodes: [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
          edges: edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        },
        { record: true },
      );
      if (!at) window.requestAnimationFrame(() => ensureVisible(id));
    },
    [defaultText, ensureVisible, freePosition, rf, setGraph],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const structural = changes.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace");
      setGraph((g) => ({ ...g, nodes: applyNodeChanges(changes, g.nodes) }), structural ? { record: true, key: "delete" } : {});
    },
    [setGraph],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const structural = changes.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace");
      setGraph((g) => ({ ...g, edges: applyEdgeChanges(changes, g.edges) }), structural ? { record: true, key: "delete" } : {});
    },
    [setGraph],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const result = connect(graphRef.current.edges, connection);
      if (!result.ok) {
        if (result.reason === "self") toast.error(t("flows.builder.toast.selfLoop"));
        return;
      }
      setGraph((g) => ({ ...g, edges: result.edges }), { record: true });
    },
    [setGraph, t, toast],
  );

  const recordDrag = useCallback(() => {
    historyRef.current.record(graphRef.current);
    setHistoryVersion((v) => v + 1);
  }, []);

  const updateNodeData = useCallback(
    (id: string, updater: (data: NodeData) => NodeData, options: ChangeOptions = {}) => {
      setGraph(
        (g) => {
          const node = g.nodes.find((n) => n.id === id);
          if (!node) return g;
          const before = node.data;
          const after = updater(before);
          return {
            nodes: g.nodes.map((n) => (n.id === id ? { ...n, data: after } : n)),
            edges: reconcileEdges(g.edges, node, before, after, options.mapping),
          };
        },
        { record: true, key: options.key ? `data:${options.key}` : undefined },
      );
    },
    [setGraph],
  );

  const selectOnly = useCallback(
    (ids: Set<string>) =>
      setGraph((g) => ({
        nodes: g.nodes.map((n) => (ids.has(n.id) !== !!n.selected ? { ...n, selected: ids.has(n.id) } : n)),
        edges: g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      })),
    [setGraph],
  );

  const focusNode = useCallback(
    (id: string, select = true) => {
      const node = graphRef.current.nodes.find((n) => n.id === id);
      if (!node) return;
      if (select) selectOnly(new Set([id]));
      const size = nodeSize(node);
      void rf.setCenter(node.position.x + size.width / 2, node.position.y + size.height / 2, {
        zoom: Math.max(rf.getZoom(), 0.9),
        duration: 400,
      });
    },
    [rf, selectOnly],
  );

  const deleteSelected = useCallback(() => {
    const g = graphRef.current;
    void rf.deleteElements({ nodes: g.nodes.filter((n) => n.selected), edges: g.edges.filter((e) => e.selected) });
  }, [rf]);

  // ------------------------------------------------------------------ clipboard
  const clipboardRef = useRef<ClipboardData | null>(null);
  const pasteCount = useRef(0);

  const copy = useCallback((): boolean => {
    const data = copySelection(graphRef.current);
    if (!data) return false;
    clipboardRef.current = data;
    pasteCount.current = 0;
    try {
      window.localStorage.setItem(CLIPBOARD_STORAGE_KEY, JSON.stringify(data));
    } catch {
      // storage full or unavailable: the in-memory copy still works
    }
    toast.success(t("flows.builder.toast.copied", { count: data.nodes.length }));
    return true;
  }, [t, toast]);

  const paste = useCallback(
    (data?: ClipboardData | null) => {
      let clip = data ?? clipboardRef.current;
      if (!clip) {
        try {
          const stored = JSON.parse(window.localStorage.getItem(CLIPBOARD_STORAGE_KEY) ?? "null");
          if (isClipboardData(stored)) clip = stored;
        } catch {
          clip = null;
        }
      }
      if (!clip || clip.nodes.length === 0) return;
      pasteCount.current += 1;
      const offset = 32 * pasteCount.current;
      setGraph((g) => pasteClipboard(g, clip, { x: offset, y: offset }), { record: true });
    },
    [setGraph],
  );

  const duplicate = useCallback(() => {
    const data = copySelection(graphRef.current);
    if (!data) return;
    setGraph((g) => pasteClipboard(g, data, { x: 40, y: 40 }), { record: true });
  }, [setGraph]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isEditable(event.target)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        undo();
      } else if ((key === "z" && event.shiftKey) || key === "y") {
        event.preventDefault();
        redo();
      } else if (key === "c") {
        if (window.getSelection()?.toString()) return;
        if (copy()) event.preventDefault();
      } else if (key === "v") {
        event.preventDefault();
        paste();
      } else if (key === "d") {
        event.preventDefault();
        duplicate();
      } else if (key === "s") {
        event.preventDefault();
        void saveNow();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [copy, duplicate, paste, redo, saveNow, undo]);

  // ------------------------------------------------------------------ drag and drop
  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DND_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(DND_MIME);
      if (!isNodeType(type)) return;
      event.preventDefault();
      const point = rf.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(type, { x: Math.round(point.x - NODE_WIDTH / 2), y: Math.round(point.y - 24) });
    },
    [addNode, rf],
  );

  // ------------------------------------------------------------------ server actions
  const invalidate = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: flowKeys.detail(flowId) });
    void queryClient.invalidateQueries({ queryKey: flowKeys.list });
    void queryClient.invalidateQueries({ queryKey: flowKeys.versions(flowId) });
  }, [flowId, queryClient]);

  const validate = useMutation({
    mutationFn: () => flowsApi.validate(flowId, JSON.parse(jsonRef.current)),
    onSuccess: ({ problems: list }) => {
      showProblems(list, "validate");
      if (list.length === 0) toast.success(t("flows.builder.toast.valid"));
    },
    onError: (error) => {
      const list = problemsOf(error);
      if (list.length > 0) showProblems(list, "validate");
      else toast.error(describe(error));
    },
  });

  const publish = useMutation({
    mutationFn: async () => {
      const saved = await saveNow();
      if (!saved) throw new Error("save-failed");
      return flowsApi.publish(flowId);
    },
    onSuccess: (response) => {
      const version = Number(response?.version ?? response?.published_version ?? 0) || null;
      toast.success(version ? t("flows.builder.toast.published", { version }) : t("flows.builder.toast.publishedPlain"));
      const warnings = normalizeProblems(response?.warnings ?? response?.problems);
      if (warnings.length > 0) showProblems(warnings, "publish");
      else {
        setProblems((current) => (current && current.source !== "save" ? null : current));
        setProblemsOpen(false);
      }
      invalidate();
    },
    onError: (error) => {
      if (error instanceof Error && error.message === "save-failed") {
        toast.error(t("flows.builder.toast.saveFirst"));
        return;
      }
      const list = problemsOf(error);
      if (list.length > 0) showProblems(list, "publish");
      toast.error(list.length > 0 ? t("flows.builder.toast.publishRefused") : describe(error));
    },
  });

  const updateFlow = useMutation({
    mutationFn: (body: Parameters<typeof flowsApi.update>[1]) => flowsApi.update(flowId, body),
    onSuccess: (_data, body) => {
      if (body.status === "Active") toast.success(t("flows.list.toast.activated", { name: flow.name }));
      if (body.status === "Inactive") toast.success(t("flows.list.toast.deactivated", { name: flow.name }));
      invalidate();
    },
    onError: (error) => {
      const list = problemsOf(error);
      if (list.length > 0) showProblems(list, "publish");
      toast.error(describe(error));
      invalidate();
    },
  });

  const exportFlow = useMutation({
    mutationFn: async () => {
      await saveNow();
      return flowsApi.export(flowId);
    },
    onSuccess: (data) => downloadJson(data, exportFileName(flow.name)),
    onError: (error) => toast.error(describe(error)),
  });

  const replaceGraph = useCallback(
    (definition: FlowDetail["definition"], options: { saved: boolean }) => {
      const next = fromDefinition(definition);
      baseRef.current = definition;
      if (options.saved) savedJsonRef.current = JSON.stringify(toDefinition(next, definition));
      setGraph(next, { record: true });
      window.requestAnimationFrame(() => void rf.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
    },
    [rf, setGraph],
  );

  const fileInput = useRef<HTMLInputElement>(null);
  const [pendingImport, setPendingImport] = useState<FlowDetail["definition"] | null>(null);
  const onImportFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    try {
      const definition = normalizeDefinition(definitionFromFile(JSON.parse(await file.text())));
      setPendingImport(definition);
    } catch {
      toast.error(t("flows.list.toast.importInvalid"));
    }
  };

  // ------------------------------------------------------------------ overlays
  const [analyticsOn, setAnalyticsOn] = useState(false);
  const analytics = useQuery({
    queryKey: flowKeys.analytics(flowId),
    queryFn: () => flowsApi.analytics(flowId),
    enabled: analyticsOn,
    staleTime: 0,
  });
  useEffect(() => {
    if (analyticsOn && analytics.isError) {
      toast.error(describe(analytics.error));
      setAnalyticsOn(false);
    }
  }, [analyticsOn, analytics.isError, analytics.error, describe, toast]);

  const [versionsOpen, setVersionsOpen] = useState(false);
  const [simOpen, setSimOpen] = useState(false);
  const [simState, setSimState] = useState<SimulationState>({ nodeId: null, path: [], status: null });
  const [paletteCollapsed, setPaletteCollapsed] = useState(false);

  // The canvas follows the simulation.
  useEffect(() => {
    if (simOpen && simState.nodeId) ensureVisible(simState.nodeId);
  }, [simOpen, simState.nodeId, ensureVisible]);

  const toggleSimulator = () => {
    setSimOpen((open) => {
      if (!open && window.innerWidth < 1500) setPaletteCollapsed(true);
      return !open;
    });
  };

  const nodeIds = useMemo(() => new Set(graph.nodes.map((n) => n.id)), [graph.nodes]);
  const problemNodes = useMemo(() => {
    const map = new Map<string, Severity>();
    for (const p of problems?.list ?? []) {
      if (!p.node) continue;
      // Autosave warnings ring only what blocks publishing; Validate shows everything.
      if (problems?.source === "draft" && p.severity !== "error" && p.severity !== "incomplete") continue;
      const worst = worstSeverity([p, ...(map.has(p.node) ? [{ severity: map.get(p.node)! }] : [])]);
      if (worst) map.set(p.node, worst);
    }
    return map;
  }, [problems]);
  const flowNames = useMemo(() => new Map((flows.data ?? []).map((f) => [f.id, f.name])), [flows.data]);

  const overlay: BuilderOverlay = useMemo(
    () => ({
      analytics: analyticsOn ? (analytics.data?.nodes ?? null) : null,
      problemNodes,
      simNodeId: simOpen ? simState.nodeId : null,
      simPath: new Set(simOpen ? simState.path : []),
      nodeIds,
      flowNames,
    }),
    [analyticsOn, analytics.data, problemNodes, simOpen, simState, nodeIds, flowNames],
  );

  const displayEdges = useMemo(
    () => decorateEdges(graph.edges, simOpen ? pathEdgeIds(graph.edges, simState.path) : new Set()),
    [graph.edges, simOpen, simState.path],
  );
  const variables = useMemo(() => collectVariables(graph.nodes), [graph.nodes]);
  const keywords = useMemo(() => triggerKeywords(graph.nodes), [graph.nodes]);

  const selectedNodes = graph.nodes.filter((n) => n.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : null;
  const labelOf = useCallback(
    (id: string) => {
      const node = graphRef.current.nodes.find((n) => n.id === id);
      if (!node) return id;
      const spec = specOf(node.type);
      const name = typeof node.data.name === "string" ? node.data.name.trim() : "";
      return name || (spec ? t(`flows.nodes.${spec.type}.label`) : id);
    },
    [t],
  );

  /** Whether the simulator may offer "fire the timer" at this node. */
  const canFireTimer = useCallback((id: string) => {
    const node = graphRef.current.nodes.find((n) => n.id === id);
    if (!node) return false;
    if (node.type === "delay") return true;
    if (node.type === "wait") return Number(node.data.timeoutSeconds) > 0;
    if (node.type === "handoff") return true;
    return false;
  }, []);

  const canUndo = historyRef.current.canUndo;
  const canRedo = historyRef.current.canRedo;
  const isActive = flow.status === "Active";

  return (
    <BuilderOverlayContext.Provider value={overlay}>
      <div className="flex h-screen flex-col bg-zinc-50" data-testid="flow-builder">
        {/* ------------------------------------------------------------ header */}
        <header className="flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white px-3">
          <Link
            to="/flows"
            data-testid="flow-back"
            className="flex items-center gap-1 rounded-lg px-2 py-1.5 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900"
          >
            <ArrowLeft className="size-4" aria-hidden />
            <span className="hidden xl:inline">{t("flows.builder.back")}</span>
          </Link>
          <span className="h-6 w-px bg-zinc-200" aria-hidden />
          <FlowNameInput
            name={flow.name}
            onRename={(name) => updateFlow.mutate({ name })}
          />
          <StatusBadge status={flow.status} />
          {flow.published_version ? (
            <span className="hidden text-xs text-zinc-500 lg:inline" data-testid="flow-published-version">
              {t("flows.list.publishedVersion", { version: flow.published_version })}
            </span>
          ) : null}
          <SaveStatus
            state={saveState}
            savedAt={savedAt}
            error={saveError}
            onRetry={() => {
              if (problems?.source === "save") setProblemsOpen(true);
              void saveNow();
            }}
          />
          <span className="flex-1" />

          <div className="flex items-center gap-0.5">
            <ToolButton label={t("flows.toolbar.undo")} shortcut="Ctrl+Z" onClick={undo} disabled={!canUndo} testId="flow-undo">
              <Undo2 className="size-4" aria-hidden />
            </ToolButton>
            <ToolButton label={t("flows.toolbar.redo")} shortcut="Ctrl+Shift+Z" onClick={redo} disabled={!canRedo} testId="flow-redo">
              <Redo2 className="size-4" aria-hidden />
            </ToolButton>
            <Divider />
            <ToolButton
              label={t("flows.toolbar.layout")}
              testId="flow-layout"
              onClick={() => {
                setGraph((g) => autoLayout(g), { record: true });
                window.requestAnimationFrame(() => void rf.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
              }}
              disabled={graph.nodes.length === 0}
            >
              <LayoutGrid className="size-4" aria-hidden />
            </ToolButton>
            <ToolButton label={t("flows.toolbar.fitView")} testId="flow-fit" onClick={() => void rf.fitView({ padding: 0.2, maxZoom: 1, duration: 300 })}>
              <Maximize className="size-4" aria-hidden />
            </ToolButton>
            <Divider />
            <ToolButton
              label={t("flows.toolbar.analytics")}
              testId="flow-analytics-toggle"
              pressed={analyticsOn}
              onClick={() => setAnalyticsOn((v) => !v)}
            >
              {analyticsOn && analytics.isFetching ? <Spinner className="size-4" /> : <ChartColumn className="size-4" aria-hidden />}
            </ToolButton>
            <ToolButton label={t("flows.toolbar.versions")} testId="flow-versions" onClick={() => setVersionsOpen(true)}>
              <History className="size-4" aria-hidden />
            </ToolButton>
            <ToolButton label={t("flows.toolbar.import")} testId="flow-import" onClick={() => fileInput.current?.click()}>
              <Upload className="size-4" aria-hidden />
            </ToolButton>
            <ToolButton label={t("flows.toolbar.export")} testId="flow-export" onClick={() => exportFlow.mutate()} disabled={exportFlow.isPending}>
              <Download className="size-4" aria-hidden />
            </ToolButton>
            <input ref={fileInput} type="file" accept="application/json,.json" className="hidden" data-testid="flow-import-file" onChange={(e) => void onImportFile(e)} />
          </div>

          <Divider />
          <Button
            size="sm"
            data-testid="flow-validate"
            loading={validate.isPending}
            icon={<ShieldCheck className="size-4" aria-hidden />}
            onClick={() => validate.mutate()}
          >
            {t("flows.toolbar.validate")}
          </Button>
          <Button
            size="sm"
            variant={simOpen ? "primary" : "secondary"}
            className={simOpen ? "!bg-sky-600 hover:!bg-sky-700" : undefined}
            data-testid="flow-simulator-toggle"
            aria-pressed={simOpen}
            icon={<Play className="size-4" aria-hidden />}
            onClick={toggleSimulator}
          >
            {t("flows.toolbar.simulator")}
          </Button>
          <label
            className="flex items-center gap-2 rounded-lg px-2 py-1 text-xs font-medium text-zinc-700"
            title={flow.published_version ? undefined : t("flows.builder.activateHint")}
          >
            <input
              type="checkbox"
              role="switch"
              className="switch"
              data-testid="flow-active-toggle"
              checked={isActive}
              disabled={updateFlow.isPending}
              onChange={(e) => updateFlow.mutate({ status: e.target.checked ? "Active" : "Inactive" })}
            />
            {t("flows.toolbar.active")}
          </label>
          <Button
            size="sm"
            variant="primary"
            data-testid="flow-publish"
            loading={publish.isPending}
            icon={<Rocket className="size-4" aria-hidden />}
            onClick={() => publish.mutate()}
          >
            {t("flows.toolbar.publish")}
          </Button>
        </header>

        {/* ------------------------------------------------------------ body */}
        <div className="flex min-h-0 flex-1">
          <Palette collapsed={paletteCollapsed} onToggle={() => setPaletteCollapsed((v) => !v)} onAdd={(type) => addNode(type)} />

          <div className="relative flex min-w-0 flex-1 flex-col">
            <div ref={canvasRef} className="flow-canvas relative min-h-0 flex-1" data-testid="flow-canvas" onDragOver={onDragOver} onDrop={onDrop}>
              <ReactFlow<FlowNode, FlowEdge>
                nodes={graph.nodes}
                edges={displayEdges}
                nodeTypes={nodeTypes}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                isValidConnection={isValidConnection}
                onNodeDragStart={recordDrag}
                onSelectionDragStart={recordDrag}
                connectionLineType={ConnectionLineType.SmoothStep}
                connectionLineStyle={{ stroke: "#16a34a", strokeWidth: 2 }}
                deleteKeyCode={["Delete", "Backspace"]}
                snapToGrid
                snapGrid={[8, 8]}
                minZoom={0.15}
                maxZoom={2}
                proOptions={{ hideAttribution: true }}
              >
                <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} color="#d4d4d8" />
                <FitOnInit />
                <Controls position="bottom-left" showInteractive={false} />
                <MiniMap
                  position="bottom-right"
                  pannable
                  zoomable
                  nodeColor={minimapColor}
                  nodeBorderRadius={6}
                  maskColor="rgba(244,244,245,0.7)"
                  style={{ width: 168, height: 112 }}
                  className="!rounded-lg !border !border-zinc-200 !shadow-sm"
                />
              </ReactFlow>
              {graph.nodes.length === 0 ? (
                <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
                  <div className="pointer-events-auto max-w-sm rounded-xl border border-dashed border-zinc-300 bg-white/90 px-6 py-6 text-center shadow-sm" data-testid="canvas-empty">
                    <div className="mx-auto mb-3 flex size-10 items-center justify-center rounded-xl bg-violet-50 text-violet-700 ring-1 ring-violet-600/15">
                      <Zap className="size-5" aria-hidden />
                    </div>
                    <h2 className="text-sm font-semibold text-zinc-900">{t("flows.builder.emptyTitle")}</h2>
                    <p className="mt-1 text-xs text-zinc-500">{t("flows.builder.emptyBody")}</p>
                    <Button size="sm" variant="primary" className="mt-4" onClick={() => addNode("trigger")} data-testid="canvas-add-trigger">
                      {t("flows.builder.addTrigger")}
                    </Button>
                  </div>
                </div>
              ) : null}
              {analyticsOn && analytics.data ? (
                <div className="pointer-events-none absolute top-3 left-1/2 -translate-x-1/2 rounded-full bg-zinc-900/90 px-3 py-1 text-xs text-white shadow" data-testid="analytics-legend">
                  {t("flows.analytics.legend")}
                </div>
              ) : null}
            </div>
            {problemsOpen && problems ? (
              <ProblemsPanel
                problems={problems.list}
                source={problems.source}
                nodes={graph.nodes}
                onSelect={(id) => focusNode(id)}
                onClose={() => setProblemsOpen(false)}
              />
            ) : problems && problems.list.length > 0 ? (
              <button
                type="button"
                data-testid="problems-reopen"
                onClick={() => setProblemsOpen(true)}
                className={cx(
                  "absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full border bg-white px-3 py-1.5 text-xs font-medium shadow-md",
                  problems.list.some((p) => p.severity === "error" || p.severity === "incomplete")
                    ? "border-red-200 text-red-700 hover:bg-red-50"
                    : "border-amber-200 text-amber-800 hover:bg-amber-50",
                )}
              >
                <AlertCircle className="size-3.5" aria-hidden />
                {t("flows.problems.reopen", { count: problems.list.length })}
              </button>
            ) : null}
          </div>

          {/* While testing, the settings column gives way to the canvas unless a block is selected. */}
          {!simOpen || selectedNodes.length > 0 ? (
            <aside className="flex w-[340px] shrink-0 flex-col border-l border-zinc-200 bg-white" aria-label={t("flows.inspector.title")}>
              <VariablesContext.Provider value={variables}>
                {selected ? (
                  <Inspector
                    key={selected.id}
                    node={selected}
                    nodes={graph.nodes}
                    flows={flows.data ?? []}
                    currentFlowId={flowId}
                    problems={(problems?.list ?? []).filter((p) => p.node === selected.id)}
                    onChange={(updater, options) => updateNodeData(selected.id, updater, options)}
                    onDelete={deleteSelected}
                    onDuplicate={duplicate}
                  />
                ) : selectedNodes.length > 1 ? (
                  <MultiSelection count={selectedNodes.length} onCopy={copy} onDuplicate={duplicate} onDelete={deleteSelected} />
                ) : (
                  <FlowSettings
                    flow={flow}
                    blocks={graph.nodes.length}
                    keywords={keywords}
                    saving={updateFlow.isPending}
                    onChange={(body) => updateFlow.mutate(body)}
                    onPaste={() => paste()}
                  />
                )}
              </VariablesContext.Provider>
            </aside>
          ) : null}

          {simOpen ? (
            <SimulatorPanel
              flowId={flowId}
              suggestions={keywords}
              beforeSend={saveNow}
              onState={setSimState}
              onShowNode={(id) => focusNode(id, false)}
              onProblems={(list) => showProblems(list, "simulate")}
              canFireTimer={canFireTimer}
              nodeName={labelOf}
              onClose={() => setSimOpen(false)}
            />
          ) : null}
        </div>
      </div>

      {versionsOpen ? (
        <VersionsDrawer
          flowId={flowId}
          publishedVersion={flow.published_version}
          onClose={() => setVersionsOpen(false)}
          onRolledBack={async (version) => {
            const fresh = await queryClient.fetchQuery({ queryKey: flowKeys.detail(flowId), queryFn: () => flowsApi.get(flowId), staleTime: 0 });
            replaceGraph(fresh.definition, { saved: true });
            setVersionsOpen(false);
            toast.success(t("flows.builder.toast.rolledBack", { version }));
            invalidate();
          }}
        />
      ) : null}

      <ConfirmDialog
        open={pendingImport !== null}
        danger={false}
        title={t("flows.builder.importTitle")}
        description={t("flows.builder.importBody", { count: pendingImport?.nodes.length ?? 0 })}
        confirmLabel={t("flows.builder.importConfirm")}
        onCancel={() => setPendingImport(null)}
        onConfirm={() => {
          if (pendingImport) replaceGraph(pendingImport, { saved: false });
          setPendingImport(null);
          toast.success(t("flows.builder.toast.imported"));
        }}
      />
    </BuilderOverlayContext.Provider>
  );
}

function Divider() {
  return <span className="mx-1 h-5 w-px bg-zinc-200" aria-hidden />;
}

function ToolButton({
  label,
  shortcut,
  onClick,
  disabled,
  pressed,
  testId,
  children,
}: {
  label: string;
  shortcut?: string;
  onClick: () => void;
  disabled?: boolean;
  pressed?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  const title = shortcut ? `${label} (${shortcut})` : label;
  return (
    <button
      type="button"
      title={title}
      aria-label={label}
      aria-pressed={pressed}
      data-testid={testId}
      disabled={disabled}
      onClick={onClick}
      className={cx(
        "flex size-8 items-center justify-center rounded-lg transition-colors disabled:pointer-events-none disabled:opacity-35",
        pressed ? "bg-zinc-900 text-white hover:bg-zinc-800" : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
      )}
    >
      {children}
    </button>
  );
}

function FlowNameInput({ name, onRename }: { name: string; onRename: (name: string) => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(name);
  useEffect(() => setValue(name), [name]);
  const commit = () => {
    const next = value.trim();
    if (!next) setValue(name);
    else if (next !== name) onRename(next);
  };
  return (
    <input
      data-testid="flow-name"
      value={value}
      aria-label={t("flows.builder.flowName")}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") (e.target as HTMLInputElement).blur();
        if (e.key === "Escape") {
          setValue(name);
          (e.target as HTMLInputElement).blur();
        }
      }}
      size={Math.min(Math.max(value.length, 8), 32)}
      className="h-8 min-w-0 truncate rounded-md border border-transparent px-1.5 text-[15px] font-semibold text-zinc-900 hover:border-zinc-200 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
    />
  );
}

function SaveStatus({
  state,
  savedAt,
  error,
  onRetry,
}: {
  state: SaveState;
  savedAt: Date | null;
  error: string | null;
  onRetry: () => void;
}) {
  const { t } = useTranslation();
  const common = "flex items-center gap-1.5 rounded-md px-1.5 py-1 text-xs whitespace-nowrap";
  if (state === "error") {
    return (
      <button
        type="button"
        data-testid="flow-save-status"
        data-state={state}
        onClick={onRetry}
        title={error ?? undefined}
        className={cx(common, "font-medium text-red-700 hover:bg-red-50")}
      >
        <AlertCircle className="size-3.5" aria-hidden />
        {t("flows.builder.save.error")}
      </button>
    );
  }
  return (
    <span
      data-testid="flow-save-status"
      data-state={state}
      role="status"
      title={savedAt ? t("flows.builder.save.savedAt", { time: formatDateTime(savedAt.toISOString()) }) : undefined}
      className={cx(common, state === "saved" ? "text-zinc-400" : "text-zinc-500")}
    >
      {state === "saving" ? (
        <Spinner className="size-3.5" />
      ) : state === "dirty" ? (
        <CircleDot className="size-3.5 text-amber-500" aria-hidden />
      ) : (
        <Check className="size-3.5" aria-hidden />
      )}
      {t(`flows.builder.save.${state}`)}
    </span>
  );
}

function MultiSelection({
  count,
  onCopy,
  onDuplicate,
  onDelete,
}: {
  count: number;
  onCopy: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="space-y-4 px-4 py-4" data-testid="inspector-multi">
      <div>
        <h2 className="text-sm font-semibold text-zinc-900">{t("flows.inspector.multiple", { count })}</h2>
        <p className="mt-1 text-xs text-zinc-500">{t("flows.inspector.multipleHint")}</p>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" icon={<Copy className="size-3.5" aria-hidden />} onClick={onCopy}>
          {t("flows.inspector.copy")}
        </Button>
        <Button size="sm" icon={<ClipboardPaste className="size-3.5" aria-hidden />} onClick={onDuplicate}>
          {t("flows.inspector.duplicate")}
        </Button>
        <Button size="sm" variant="danger" icon={<Trash2 className="size-3.5" aria-hidden />} onClick={onDelete}>
          {t("flows.inspector.delete")}
        </Button>
      </div>
    </div>
  );
}

const SHORTCUTS: Array<[string, "undo" | "redo" | "copy" | "paste" | "duplicate" | "delete" | "save" | "select"]> = [
  ["Ctrl Z", "undo"],
  ["Ctrl Shift Z", "redo"],
  ["Ctrl C", "copy"],
  ["Ctrl V", "paste"],
  ["Ctrl D", "duplicate"],
  ["Del", "delete"],
  ["Ctrl S", "save"],
  ["Shift drag", "select"],
];

function FlowSettings({
  flow,
  blocks,
  keywords,
  saving,
  onChange,
  onPaste,
}: {
  flow: FlowDetail;
  blocks: number;
  keywords: string[];
  saving: boolean;
  onChange: (body: { is_default?: boolean; interrupts?: boolean }) => void;
  onPaste: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="flex min-h-0 flex-1 flex-col overflow-y-auto" data-testid="flow-settings">
      <div className="border-b border-zinc-100 px-4 py-3">
        <h2 className="text-sm font-semibold text-zinc-900">{t("flows.settings.title")}</h2>
        <p className="mt-0.5 text-xs text-zinc-500">{t("flows.settings.hint")}</p>
      </div>
      <div className="space-y-5 px-4 py-4">
        <dl className="grid grid-cols-2 gap-3">
          <div className="rounded-lg bg-zinc-50 px-3 py-2 ring-1 ring-zinc-200 ring-inset">
            <dt className="text-[11px] text-zinc-500">{t("flows.settings.blocks")}</dt>
            <dd className="text-lg font-semibold text-zinc-900 tabular-nums">{blocks}</dd>
          </div>
          <div className="rounded-lg bg-zinc-50 px-3 py-2 ring-1 ring-zinc-200 ring-inset">
            <dt className="text-[11px] text-zinc-500">{t("flows.settings.liveSessions")}</dt>
            <dd className="text-lg font-semibold text-zinc-900 tabular-nums">{flow.live_sessions}</dd>
          </div>
        </dl>
        <div>
          <p className="mb-1.5 text-xs font-medium text-zinc-700">{t("flows.settings.keywords")}</p>
          {keywords.length > 0 ? (
            <div className="flex flex-wrap gap-1">
              {keywords.map((k) => (
                <Badge key={k} tone="zinc">
                  {k}
                </Badge>
              ))}
            </div>
          ) : (
            <p className="text-xs text-zinc-500">{t("flows.settings.noKeywords")}</p>
          )}
        </div>
        <div className="space-y-4 border-t border-zinc-100 pt-4">
          <SettingSwitch
            testId="flow-default-toggle"
            label={t("flows.settings.default")}
            hint={t("flows.settings.defaultHint")}
            checked={flow.is_default}
            disabled={saving}
            onChange={(v) => onChange({ is_default: v })}
          />
          <SettingSwitch
            testId="flow-interrupts-toggle"
            label={t("flows.settings.interrupts")}
            hint={t("flows.settings.interruptsHint")}
            checked={Boolean(flow.interrupts)}
            disabled={saving}
            onChange={(v) => onChange({ interrupts: v })}
          />
        </div>
        <div className="border-t border-zinc-100 pt-4">
          <div className="mb-2 flex items-center justify-between">
            <p className="text-xs font-medium text-zinc-700">{t("flows.settings.shortcuts")}</p>
            <button type="button" onClick={onPaste} className="text-xs font-medium text-brand-700 hover:underline">
              {t("flows.settings.paste")}
            </button>
          </div>
          <ul className="space-y-1.5">
            {SHORTCUTS.map(([keys, action]) => (
              <li key={action} className="flex items-center justify-between gap-2 text-xs text-zinc-600">
                <span>{t(`flows.settings.shortcut.${action}`)}</span>
                <kbd className="rounded border border-zinc-200 bg-zinc-50 px-1.5 py-0.5 font-mono text-[10px] text-zinc-600 shadow-xs">{keys}</kbd>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

function SettingSwitch({
  label,
  hint,
  checked,
  disabled,
  onChange,
  testId,
}: {
  label: string;
  hint: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (value: boolean) => void;
  testId: string;
}) {
  return (
    <label className="flex items-start justify-between gap-3">
      <span>
        <span className="block text-xs font-medium text-zinc-800">{label}</span>
        <span className="mt-0.5 block text-[11px] text-zinc-500">{hint}</span>
      </span>
      <input
        type="checkbox"
        role="switch"
        className="switch mt-0.5"
        data-testid={testId}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />
    </label>
  );
}
