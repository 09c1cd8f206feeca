/**
 * What the behaviour tests assert on the simulated cluster: workloads reach their running state, pods sit on the
 * pools they should, claims are allocated by the real scheduler, and a GitOps re-sync neither conflicts nor drifts.
 */
import { SimCluster } from './cluster';
import { ApplyResult } from './kube-api';
import { POOL_LABEL } from './nodes';
import { KubeObject } from '../harness/objects';

/** The field manager our YAML is applied with (Argo CD's server-side apply manager name). */
export const GITOPS_MANAGER = 'argocd-controller';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'JobSet', 'LeaderWorkerSet'];

export interface ExpectedPods {
  readonly workload: KubeObject;
  readonly namespace: string;
  readonly selector: string;
  readonly count: number;
}

/** The pods each workload in `objects` should run, and the label selector that finds them. */
export function expectedPods(objects: readonly KubeObject[]): ExpectedPods[] {
  const out: ExpectedPods[] = [];
  for (const w of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    const spec = w.spec as any;
    const namespace = String(w.metadata.namespace ?? 'default');
    const name = String(w.metadata.name);
    switch (w.kind) {
      case 'Deployment':
      case 'StatefulSet': {
        const sel = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
        out.push({ workload: w, namespace, selector: sel, count: spec.replicas ?? 1 });
        break;
      }
      case 'Job':
        out.push({ workload: w, namespace, selector: `batch.kubernetes.io/job-name=${name}`, count: spec.parallelism ?? 1 });
        break;
      case 'JobSet': {
        const count = (spec.replicatedJobs ?? []).reduce((s: number, r: any) => s + (r.replicas ?? 1) * (r.template?.spec?.parallelism ?? 1), 0);
        out.push({ workload: w, namespace, selector: `jobset.sigs.k8s.io/jobset-name=${name}`, count });
        break;
      }
      case 'LeaderWorkerSet':
        out.push({ workload: w, namespace, selector: `leaderworkerset.sigs.k8s.io/name=${name}`, count: (spec.replicas ?? 1) * (spec.leaderWorkerTemplate?.size ?? 1) });
        break;
    }
  }
  return out;
}

export function isReady(pod: any): boolean {
  return pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** The pool a pod is required onto (its node affinity on the pool label), if any. */
export function requiredPool(podSpec: any): string | undefined {
  for (const term of podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === POOL_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  return podSpec?.nodeSelector?.[POOL_LABEL];
}

export async function podsOf(cluster: SimCluster, objects: readonly KubeObject[]): Promise<any[]> {
  const lists = await Promise.all(expectedPods(objects).map((e) => cluster.api.list('v1', 'Pod', e.namespace, e.selector)));
  return lists.flat();
}

/**
 * Waits until every workload runs all its pods Ready, then checks each pod's node: a pod required onto a pool sits on
 * a node of that pool; a pod that is not sits on a node without GPU taints.
 */
export async function expectRunningOnPools(cluster: SimCluster, objects: readonly KubeObject[], timeoutMs: number): Promise<void> {
  const expected = expectedPods(objects);
  await cluster.waitFor('every workload running', async () => {
    const states = await Promise.all(expected.map(async (e) => {
      const pods = await cluster.api.list('v1', 'Pod', e.namespace, e.selector);
      const ready = pods.filter(isReady).length;
      return ready >= e.count ? undefined : `${e.workload.kind} ${e.namespace}/${e.workload.metadata.name}: ${ready}/${e.count} ready (${describePods(pods)})`;
    }));
    const pending = states.filter((s): s is string => s !== undefined);
    return pending.length === 0 || pending.join('; ');
  }, timeoutMs);
  const nodes = new Map((await cluster.api.list('v1', 'Node')).map((n) => [n.metadata.name, n]));
  const misplaced: string[] = [];
  for (const pod of await podsOf(cluster, objects)) {
    const node = nodes.get(pod.spec.nodeName);
    const want = requiredPool(pod.spec);
    const onPool = node?.metadata.labels?.[POOL_LABEL];
    if (want ? onPool !== want : onPool !== undefined) {
      misplaced.push(`${pod.metadata.namespace}/${pod.metadata.name} on ${pod.spec.nodeName} (pool ${onPool ?? 'none'}, wanted ${want ?? 'none'})`);
    }
  }
  if (misplaced.length) throw new Error(`pods on the wrong nodes: ${misplaced.join('; ')}`);
}

function describePods(pods: any[]): string {
  if (!pods.length) return 'no pods';
  return pods.slice(0, 4).map((p) => {
    const unsched = (p.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False');
    return `${p.metadata.name} ${p.status?.phase}${unsched ? ` unschedulable: ${unsched.message}` : ''}`;
  }).join(', ');
}

export interface AllocatedDevice {
  readonly claim: string;
  readonly request: string;
  readonly node: string;
  readonly device: string;
  readonly attributes: Record<string, string>;
  readonly memory?: string;
}

/**
 * Waits until every ResourceClaim in the namespaces of `objects` that a pod uses is allocated, and returns each
 * allocated device with the attributes the fake driver published for it.
 */
export async function claimsAllocated(cluster: SimCluster, objects: readonly KubeObject[], timeoutMs: number): Promise<AllocatedDevice[]> {
  const namespaces = [...new Set(objects.filter((o) => o.kind === 'ResourceClaimTemplate' || o.kind === 'ResourceClaim').map((o) => String(o.metadata.namespace)))];
  let claims: any[] = [];
  await cluster.waitFor('every ResourceClaim allocated', async () => {
    claims = (await Promise.all(namespaces.map((ns) => cluster.api.list('resource.k8s.io/v1', 'ResourceClaim', ns)))).flat();
    const pending = claims.filter((c) => !c.status?.allocation);
    if (!claims.length) return 'no claims yet';
    return pending.length === 0 || `${pending.length} of ${claims.length} unallocated: ${pending.slice(0, 3).map((c) => c.metadata.name).join(', ')}`;
  }, timeoutMs);
  const slices = await cluster.api.list('resource.k8s.io/v1', 'ResourceSlice');
  const devices = new Map<string, any>();
  for (const s of slices) for (const d of s.spec.devices ?? []) devices.set(`${s.spec.driver}/${s.spec.pool.name}/${d.name}`, d);
  const out: AllocatedDevice[] = [];
  for (const c of claims) {
    for (const r of c.status.allocation.devices?.results ?? []) {
      const d = devices.get(`${r.driver}/${r.pool}/${r.device}`);
      if (!d) throw new Error(`claim ${c.metadata.name} allocated ${r.driver}/${r.pool}/${r.device}, which no ResourceSlice publishes`);
      out.push({
        claim: `${c.metadata.namespace}/${c.metadata.name}`,
        request: r.request,
        node: r.pool,
        device: r.device,
        attributes: Object.fromEntries(Object.entries(d.attributes ?? {})
          .map(([k, v]: [string, any]) => [k, String(v.string ?? v.int ?? v.bool ?? v.version)])),
        memory: Object.values(d.capacity ?? {}).map((v: any) => v.value)[0],
      });
    }
  }
  return out;
}

/**
 * Re-applies the same YAML with the same field manager and no force, as a GitOps re-sync does: every object must apply
 * without a conflict, and none may change (no field we send differs from what the controllers made of it).
 */
export async function reapplyWithoutConflict(cluster: SimCluster, objects: readonly KubeObject[]): Promise<void> {
  const live = () => Promise.all(objects.map((o) =>
    cluster.api.get(o.apiVersion, o.kind, String(o.metadata.name), o.metadata.namespace as string | undefined)));
  const before = await live();
  const results: ApplyResult[] = await Promise.all(objects.map((o) => cluster.api.apply(o, GITOPS_MANAGER)));
  const conflicts = results.filter((r) => r.status < 200 || r.status >= 300)
    .map((r) => `${r.object.kind} ${r.object.metadata.namespace ?? ''}/${r.object.metadata.name}: HTTP ${r.status} ${r.message}`);
  const after = await live();
  const drift = objects.flatMap((o, i) => (before[i]?.metadata?.generation !== after[i]?.metadata?.generation
    ? [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: generation ${before[i]?.metadata?.generation} -> ${after[i]?.metadata?.generation}`]
    : []));
  expect({ conflicts, drift }).toEqual({ conflicts: [], drift: [] });
}
