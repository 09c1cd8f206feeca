import { isNicRequestName } from '../accelerators/claim-spec';

/**
 * The CNCF Kubernetes AI Conformance checklists (cncf/k8s-ai-conformance `docs/AIConformance-1.NN.*`): requirement
 * ids and levels per Kubernetes minor. 1.34: 9 MUST; 1.35: adds driver_runtime_management, gpu_sharing,
 * virtualized_accelerator (SHOULD); 1.36: drops dra_support (covered by base conformance since 1.35), adds
 * advanced_inference_ingress, high_performance_networking, disaggregated_inference (SHOULD); 1.37: adds
 * workload_sandboxing (SHOULD). Internal data for the platform report.
 */
export interface AiRequirement {
  /** The requirement id of the checklist, e.g. `gang_scheduling`. */
  readonly id: string;
  /** The checklist section, e.g. `schedulingOrchestration`. */
  readonly category: string;
  /** Whether a conformant platform must or should meet it. */
  readonly level: 'MUST' | 'SHOULD';
  /** One line on what it asks for. */
  readonly title: string;
}

const BASE: AiRequirement[] = [
  { id: 'ai_inference', category: 'networking', level: 'MUST', title: 'Gateway API implementation for inference traffic' },
  { id: 'gang_scheduling', category: 'schedulingOrchestration', level: 'MUST', title: 'All-or-nothing scheduling (e.g. Kueue)' },
  { id: 'cluster_autoscaling', category: 'schedulingOrchestration', level: 'MUST', title: 'Autoscale accelerator node groups on pending pods' },
  { id: 'pod_autoscaling', category: 'schedulingOrchestration', level: 'MUST', title: 'HPA works for accelerator pods, on custom metrics' },
  { id: 'accelerator_metrics', category: 'observability', level: 'MUST', title: 'Per-accelerator utilization and memory metrics' },
  { id: 'ai_service_metrics', category: 'observability', level: 'MUST', title: 'Discover and collect workload metrics (Prometheus format)' },
  { id: 'secure_accelerator_access', category: 'security', level: 'MUST', title: 'Accelerator access mediated by device plugin or DRA' },
  { id: 'robust_controller', category: 'operator', level: 'MUST', title: 'A complex AI operator with CRDs works reliably' },
];
const DRA_SUPPORT: AiRequirement = { id: 'dra_support', category: 'accelerators', level: 'MUST', title: 'Dynamic Resource Allocation APIs' };
const V135_ADDED: AiRequirement[] = [
  { id: 'driver_runtime_management', category: 'accelerators', level: 'SHOULD', title: 'Verifiable driver and container runtime management' },
  { id: 'gpu_sharing', category: 'accelerators', level: 'SHOULD', title: 'At least one GPU sharing strategy' },
  { id: 'virtualized_accelerator', category: 'accelerators', level: 'SHOULD', title: 'Virtualized accelerators (e.g. vGPU)' },
];
const V136_ADDED: AiRequirement[] = [
  { id: 'advanced_inference_ingress', category: 'networking', level: 'SHOULD', title: 'Gateway API Inference Extension routing' },
  { id: 'high_performance_networking', category: 'networking', level: 'SHOULD', title: 'Managed high-performance pod networking (DRA)' },
  { id: 'disaggregated_inference', category: 'networking', level: 'SHOULD', title: 'Disaggregated (prefill/decode) inference' },
];
const V137_ADDED: AiRequirement[] = [
  { id: 'workload_sandboxing', category: 'security', level: 'SHOULD', title: 'Sandboxed workloads isolated from the host kernel' },
];

const ORDER = ['accelerators', 'networking', 'schedulingOrchestration', 'observability', 'security', 'operator'];

/** The checklist of Kubernetes 1.<minor> (34..37). */
export function aiConformanceChecklist(minor: number): AiRequirement[] {
  let list = [DRA_SUPPORT, ...BASE];
  if (minor >= 35) list = [...list, ...V135_ADDED];
  if (minor >= 36) list = [...list.filter((r) => r.id !== 'dra_support'), ...V136_ADDED];
  if (minor >= 37) list = [...list, ...V137_ADDED];
  return list.map((r, i) => ({ r, i }))
    .sort((a, b) => ORDER.indexOf(a.r.category) - ORDER.indexOf(b.r.category) || a.i - b.i)
    .map((x) => x.r);
}

const GPU_RESOURCE = /^(nvidia\.com\/(gpu|mig-.*)|amd\.com\/gpu|deviceclass\.resource\.kubernetes\.io\/.*)$/;

/** The requirement ids an emitted object relies on. */
export function requirementsOf(json: any): string[] {
  const kind: string = json?.kind ?? '';
  const group = String(json?.apiVersion ?? '').split('/').slice(0, -1).join('/');
  const ids = new Set<string>();
  const text = JSON.stringify(json);
  if (group === 'resource.k8s.io') {
    ids.add('dra_support');
    if (kind !== 'DeviceClass') ids.add('secure_accelerator_access');
    if (/mig\.nvidia\.com|"sharing"|timeSlicing|\bmps\b/i.test(text)) ids.add('gpu_sharing');
  }
  if (/"resourceClaims"/.test(text)) ids.add('secure_accelerator_access');
  if (Object.keys(findLimits(json)).some((r) => GPU_RESOURCE.test(r))) ids.add('secure_accelerator_access');
  if (group === 'gateway.networking.k8s.io') ids.add('ai_inference');
  if (group === 'inference.networking.k8s.io' || group === 'llm-d.ai') ids.add('advanced_inference_ingress');
  if (group === 'kueue.x-k8s.io' || group === 'scheduling.x-k8s.io' || (group === 'scheduling.k8s.io' && kind !== 'PriorityClass') ||
    /"kueue\.x-k8s\.io\/queue-name"/.test(text) || group === 'jobset.x-k8s.io') ids.add('gang_scheduling');
  if (group === 'karpenter.sh') ids.add('cluster_autoscaling');
  if (kind === 'HorizontalPodAutoscaler' || (group === 'keda.sh' && kind === 'ScaledObject')) ids.add('pod_autoscaling');
  if (kind === 'PrometheusRule' && text.includes('DCGM_FI_')) ids.add('accelerator_metrics');
  if (kind === 'ConfigMap' && text.includes('DCGM_FI_')) ids.add('accelerator_metrics');
  if (kind === 'ConfigMap' && text.includes('gpu_utilization')) ids.add('accelerator_metrics');
  if (kind === 'PodMonitor' || kind === 'ServiceMonitor') ids.add('ai_service_metrics');
  if (['jobset.x-k8s.io', 'leaderworkerset.x-k8s.io', 'kueue.x-k8s.io', 'inference.networking.k8s.io', 'ray.io', 'trainer.kubeflow.org', 'serving.kserve.io'].includes(group)) ids.add('robust_controller');
  if (group === 'resource.nvidia.com') ids.add('high_performance_networking');
  // NICs from a DRA network driver (NicRequest): the claim's device requests the library names `nics`/`nics-<i>`.
  const deviceRequests: any[] = json?.spec?.spec?.devices?.requests ?? json?.spec?.devices?.requests ?? [];
  if (group === 'resource.k8s.io' && deviceRequests.some((r) => isNicRequestName(r?.name))) ids.add('high_performance_networking');
  if (group === 'nvidia.com' && kind === 'ClusterPolicy') ids.add('driver_runtime_management');
  if (runsSandboxed(kind, group, json)) ids.add('workload_sandboxing');
  if (runsPrefillPods(json) || (group === 'serving.kserve.io' && json?.spec?.prefill)) ids.add('disaggregated_inference');
  return [...ids].sort();
}

/** The agent-sandbox API groups (kubernetes-sigs/agent-sandbox v0.5.6): their pods run behind a sandbox runtime. */
const SANDBOX_GROUPS = ['agents.x-k8s.io', 'extensions.agents.x-k8s.io'];
/** RuntimeClass handlers that isolate pods from the host kernel: gVisor's `runsc` and kata-deploy's `kata-<shim>`. */
const SANDBOX_HANDLER = /^(runsc|kata)/;

/**
 * True for the agent-sandbox objects and for a RuntimeClass with a sandbox handler. A pod's `runtimeClassName`
 * alone proves nothing: `nvidia` is a RuntimeClass too.
 */
function runsSandboxed(kind: string, group: string, json: any): boolean {
  if (SANDBOX_GROUPS.includes(group)) return true;
  return group === 'node.k8s.io' && kind === 'RuntimeClass' && SANDBOX_HANDLER.test(String(json?.handler ?? ''));
}

/** The pod-template label the llm-d endpoint picker's prefill-filter selects prefill pods by (llm-d-router v0.10.0). */
const PREFILL_ROLE = ['llm-d.ai/role', 'prefill'];

/** True when a workload's pod template (a Deployment's, or a LeaderWorkerSet's leader or worker) runs prefill pods. */
function runsPrefillPods(json: any): boolean {
  const spec = json?.spec;
  const templates = [spec?.template, spec?.leaderWorkerTemplate?.leaderTemplate, spec?.leaderWorkerTemplate?.workerTemplate];
  return templates.some((t) => t?.metadata?.labels?.[PREFILL_ROLE[0]] === PREFILL_ROLE[1]);
}

function findLimits(node: any, out: Record<string, true> = {}): Record<string, true> {
  if (node === null || typeof node !== 'object') return out;
  if (Array.isArray(node)) { node.forEach((x) => findLimits(x, out)); return out; }
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'limits' || k === 'requests') && v && typeof v === 'object' && !Array.isArray(v)) for (const r of Object.keys(v)) out[r] = true;
    else findLimits(v, out);
  }
  return out;
}
