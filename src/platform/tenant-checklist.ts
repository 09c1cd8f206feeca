/**
 * The readiness checklist of a tenant in the PlatformReport: quota owned, isolation, default-deny, cost visible,
 * probes/PDBs/limits, model artifact retention, backups, runbooks, image signing. Internal.
 */
import { ApiObject } from 'cdk8s';
import type { AiTenant } from './ai-tenant';
import type { PlatformObservability } from './observability/platform-observability';
import { imagesOf, podSpecsBelow } from '../internal/pod-templates';
import { ImageSigningPolicy } from '../security/image-signing-policy';
import { restrictedViolations } from '../security/pod-security';
import { EgressNeedKind } from '../security/tenant-network';

/** One readiness check of a tenant. */
export interface Check {
  /** A stable id, e.g. `default-deny`. */
  readonly id: string;
  /** The checklist item, e.g. `Network policy defaults`. */
  readonly title: string;
  /** True when the tenant meets it; null when the report cannot check it (a declaration, or nothing to check). */
  readonly pass: boolean | null;
  /**
   * `PASS`, `FAIL`, `DECLARED` (the user declared it, e.g. a backup policy URL, which no YAML can prove) or `N/A`
   * (nothing to check, e.g. no alerts to link a runbook).
   */
  readonly result: 'PASS' | 'FAIL' | 'DECLARED' | 'N/A';
  /** What was found: the problems when it fails, the evidence when it passes. */
  readonly detail: string;
}

/** The readiness checklist of a tenant, item by item. */
export function tenantChecklist(t: AiTenant, observability: PlatformObservability | undefined): Check[] {
  const objects = t.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
  const pods = podSpecsBelow(t);
  const checks: Check[] = [];
  const add = (id: string, title: string, problems: string[], ok: string, unchecked?: 'DECLARED' | 'N/A') => {
    const result = problems.length ? 'FAIL' : unchecked ?? 'PASS';
    checks.push({ id, title, result, pass: result === 'PASS' ? true : result === 'FAIL' ? false : null, detail: problems.length ? problems.join('; ') : ok });
  };

  const demand = t.gpuDemand();
  const quota = t.gpuQuota;
  const quotaProblems: string[] = [];
  for (const [key, want] of sortedEntries(demand)) {
    if (quota[key] === undefined) quotaProblems.push(`${want} GPUs requested as ${key} without quota`);
    else if (want > quota[key]) quotaProblems.push(`${want} GPUs requested as ${key} over the quota of ${quota[key]}`);
  }
  const rq = objects.find((o) => o.kind === 'ResourceQuota');
  const limitKeys = Object.keys(rq?.spec?.hard ?? {}).filter((k) => /^limits\.(?!cpu$|memory$|ephemeral-storage$)/.test(k));
  if (limitKeys.length) quotaProblems.push(`${limitKeys.join(', ')}: limits. keys of extended resources are never enforced`);
  if (!rq) quotaProblems.push('no ResourceQuota');
  add('gpu-quota-owned', 'GPU quota ownership', quotaProblems,
    `quota ${labelText(quota, ', ') || 'none (no GPUs)'} owned by ${t.owner} (${t.team}); requests fit`);

  const ns = objects.find((o) => o.kind === 'Namespace');
  const isolation: string[] = [];
  if (ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') isolation.push('Pod Security restricted is not enforced');
  for (const p of pods) {
    const v = restrictedViolations(p.spec);
    if (v.length) isolation.push(`${p.object.toJson().metadata?.name}: ${v.join(', ')}`);
  }
  if (objects.some((o) => o.kind === 'ClusterRoleBinding')) isolation.push('a ClusterRoleBinding in the tenant');
  add('namespace-isolation', 'Namespace isolation', isolation, `Pod Security restricted enforced (${ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce-version']}); ${pods.length} pod templates pass it; RBAC is namespaced`);

  const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata?.name === 'default-deny');
  const denyOk = deny && Object.keys(deny.spec?.podSelector ?? {}).length === 0 &&
    ['Ingress', 'Egress'].every((x) => (deny.spec?.policyTypes ?? []).includes(x)) && !deny.spec?.ingress && !deny.spec?.egress;
  const allows = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata?.name !== 'default-deny');
  const network = denyOk ? [] : ['no default-deny NetworkPolicy for ingress and egress'];
  const needs = t._egressNeeds();
  for (const { need, resolution } of needs) {
    if (resolution !== 'blocked') continue;
    network.push(need.kind === EgressNeedKind.KUBE_API_SERVER
      ? `${need.scope.node.path} cannot reach the Kubernetes API server (no apiServer)`
      : `${need.scope.node.path} cannot download its model from ${need.destination} (no modelDownloads and no egress on 443)`);
  }
  const needText = (kind: EgressNeedKind, what: string) => {
    const list = needs.filter((n) => n.need.kind === kind && n.resolution !== 'blocked')
      .map((n) => `${n.need.scope.node.path} (${n.resolution === 'allowed' ? n.via : 'through the tenant\'s egress entries'})`);
    return list.length ? `; ${what}: ${list.join(', ')}` : '';
  };
  add('default-deny', 'Network policy defaults', network,
    `default-deny ingress and egress; ${allows.length} declared allows (${allows.map((a) => a.metadata.name).join(', ')})` +
    needText(EgressNeedKind.KUBE_API_SERVER, 'egress to the Kubernetes API server for') +
    needText(EgressNeedKind.MODEL_DOWNLOAD, 'model-download egress for'));

  const cost: string[] = [];
  if (!observability) cost.push('no PlatformObservability (no cost rules or dashboard)');
  for (const pool of t.pools) if (observability && observability.priceOf(pool.gpu.id) === undefined) cost.push(`no price for ${pool.gpu.id} (pool ${pool.name})`);
  if (!ns?.metadata?.labels?.['cost-center']) cost.push('no cost-center label');
  add('cost-visible', 'Cost visibility', cost, `cost-center ${t.costCenter}; namespace:gpu_cost_per_hour:sum on the dashboard`);

  const workload: string[] = [];
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const o of objects) {
    if (!['Deployment', 'StatefulSet', 'LeaderWorkerSet'].includes(o.kind)) continue;
    const templateLabels = o.spec?.template?.metadata?.labels ?? o.spec?.leaderWorkerTemplate?.workerTemplate?.metadata?.labels ?? {};
    const containers = o.spec?.template?.spec?.containers ?? o.spec?.leaderWorkerTemplate?.workerTemplate?.spec?.containers ?? [];
    for (const c of containers) if (!c.readinessProbe) workload.push(`${o.kind} ${o.metadata.name} container ${c.name} has no readinessProbe`);
    const replicas = o.spec?.replicas ?? 1;
    const covered = pdbs.some((p) => Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => templateLabels[k] === v));
    if (replicas > 1 && !covered) workload.push(`${o.kind} ${o.metadata.name} (${replicas} replicas) has no PodDisruptionBudget`);
  }
  const lr = objects.find((o) => o.kind === 'LimitRange');
  const defaults = (lr?.spec?.limits ?? []).find((l: any) => l.type === 'Container')?.defaultRequest ?? {};
  for (const p of pods) {
    for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
      for (const r of ['cpu', 'memory']) if (!c.resources?.requests?.[r] && !c.resources?.limits?.[r] && !defaults[r]) workload.push(`container ${c.name} has no ${r} request`);
    }
  }
  add('probes-pdbs-limits', 'Probes, PDBs and resource requests', workload, 'serving containers have readiness probes, replicated servers have PDBs, every container has CPU/memory requests (explicit or LimitRange defaults)');

  add('model-artifact-retention', 'Model artifact retention', t.operations.modelRetentionDays === undefined ? ['operations.modelRetentionDays not given'] : [],
    `declared: model artifacts and eval results kept ${t.operations.modelRetentionDays} days (not checked: the YAML cannot show retention)`, 'DECLARED');
  add('backups', 'Backups', t.operations.backupPolicyUrl === undefined ? ['operations.backupPolicyUrl not given'] : [], `declared: backup policy ${t.operations.backupPolicyUrl} (not checked: the YAML cannot show backups)`, 'DECLARED');
  const runbooks: string[] = [];
  if (t.operations.runbookUrl === undefined) runbooks.push('operations.runbookUrl not given');
  let alerts = 0;
  for (const o of objects.filter((x) => x.kind === 'PrometheusRule')) {
    for (const g of o.spec?.groups ?? []) {
      for (const r of g.rules ?? []) {
        if (!r.alert) continue;
        alerts++;
        if (!r.annotations?.runbook_url) runbooks.push(`alert ${r.alert} has no runbook_url`);
      }
    }
  }
  if (alerts === 0) {
    add('runbooks', 'Incident runbooks', runbooks, `declared: runbook ${t.operations.runbookUrl}; the tenant has no alerts, so no alert links it ` +
      '(add monitoring to its workloads for alerts that do)', 'DECLARED');
  } else {
    add('runbooks', 'Incident runbooks', runbooks, `runbook ${t.operations.runbookUrl}; all ${alerts} alert(s) link a runbook`);
  }

  const signing: string[] = [];
  if (!t.imageSigning.length) signing.push('the namespace does not opt into signed-image admission (imageSigning)');
  const policies = ImageSigningPolicy.allOf(t);
  const unsigned = new Set<string>();
  for (const p of pods) {
    for (const image of imagesOf(p.spec)) {
      const matching = policies.filter((x) => x.matches(image));
      if (t.imageSigning.length && !matching.length) signing.push(`${image} matches no ClusterImagePolicy`);
      // policies are ANDed: an image is admitted unsigned only when every matching policy lets it through unsigned
      if (matching.length && matching.every((x) => !x.requiresSignature)) unsigned.add(image);
    }
  }
  const unsignedText = unsigned.size ? `; admitted without a signature (digest resolved at admission): ${[...unsigned].sort().join(', ')}` : '';
  add('image-signing', 'Signed images', signing, `policy-controller enforces ${t.imageSigning.map((p) => p.name).join(', ')} on every image${unsignedText}`);
  return checks;
}

/** Entries in sorted key order: maps from Go arrive in random order, the report must not. */
export function sortedEntries<T>(values: Record<string, T>): [string, T][] {
  return Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `k1=v1<sep>k2=v2`, keys sorted. */
export function labelText(labels: Record<string, string | number>, separator: string): string {
  return sortedEntries(labels).map(([k, v]) => `${k}=${v}`).join(separator);
}
