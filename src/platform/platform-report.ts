import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { aiConformanceChecklist, requirementsOf } from './ai-conformance';
import { AiTenant } from './ai-tenant';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { ClusterProfile } from '../cluster/cluster-profile';
import { warnings } from '../cluster/platform-warnings';
import { invalidProp } from '../internal/errors';
import { requireWritableDir } from '../internal/output-paths';
import { imagesOf, podSpecsBelow } from '../internal/pod-templates';
import { checkProps, opt } from '../internal/runtime-checks';
import { restrictedViolations } from '../security/pod-security';
import { EgressNeedKind, trafficEdges } from '../security/tenant-network';
import { rangesOf, TrafficPeer } from '../security/traffic-edge';
import { PlatformObservability } from './observability/platform-observability';
import { ImageSigningPolicy } from '../security/image-signing-policy';

/**
 * Props for a PlatformReport.
 */
export interface PlatformReportProps {
  /**
   * The base name of the report files (`<fileName>.md`, `<fileName>.json`).
   *
   * @default 'platform-report'
   */
  readonly fileName?: string;

  /**
   * The directory the files go to.
   *
   * @default - the app's outdir (`dist/` for `cdk8s synth`)
   */
  readonly outdir?: string;
}

/** One readiness check of a tenant. */
interface Check {
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

const WRAPPED = Symbol.for('cdk8s-ai.PlatformReport.synth');

/**
 * A synth-time report of the platform, written as Markdown and JSON next to the manifests when `app.synth()`
 * succeeds (never when validation fails): the CNCF Kubernetes AI Conformance requirements of the target version
 * (ids and MUST/SHOULD levels) with the constructs that rely on each; per tenant its GPU quota, the GPUs its
 * workloads request, the pool capacity, the estimated cost per hour and the readiness checklist (quota owned,
 * isolation, default-deny, cost visible, probes/PDBs/limits, model artifact retention, backups, runbooks, image
 * signing) with pass/fail per item; the Kueue DRA mapping the cluster needs; every declared traffic edge; and the
 * synth warnings. Deterministic: no timestamps.
 */
export class PlatformReport extends Construct {
  /** The base file name. */
  public readonly fileName: string;
  private readonly outdir?: string;

  constructor(scope: Construct, id: string, props: PlatformReportProps = {}) {
    super(scope, id);
    props = checkProps(this, 'PlatformReportProps', props, { fileName: opt('string'), outdir: opt('string') });
    this.fileName = props.fileName ?? 'platform-report';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(this.fileName)) throw invalidProp(this, 'fileName', this.fileName, 'a file name of letters, digits, ".", "_" and "-"');
    this.outdir = props.outdir;
    const root = this.node.root;
    if (root instanceof App) hookSynth(root, this);
  }

  /** The report as a JSON-serialisable object. */
  public model(): any {
    const profile = ClusterProfile.of(this);
    const minor = profile.kubernetesVersion.minor;
    const objects = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const relied = new Map<string, Set<string>>();
    for (const o of objects) {
      for (const req of requirementsOf(o.toJson())) {
        const owner = o.node.scope?.node.path ?? o.node.path;
        relied.set(req, (relied.get(req) ?? new Set()).add(owner));
      }
    }
    const observability = this.findObservability();
    const pools = this.node.root.node.findAll().filter((c): c is GpuNodePool => GpuNodePool.isGpuNodePool(c));
    const tenants = AiTenant.allOf(this);
    return {
      kubernetesVersion: profile.kubernetesVersion.toString(),
      gpuAllocation: profile.gpuAllocation,
      conformance: {
        checklist: `AIConformance-${profile.kubernetesVersion.toString()}`,
        requirements: aiConformanceChecklist(minor).map((r) => ({
          id: r.id, category: r.category, level: r.level, title: r.title, reliedOnBy: [...(relied.get(r.id) ?? [])].sort(),
        })),
      },
      pools: pools.map((p) => ({
        name: p.name,
        gpu: p.gpu.id,
        capacity: p.gpuCapacity,
        guaranteed: tenants.reduce((s, t) => s + (t.guaranteedGpus[p.name] ?? 0), 0),
        pricePerHour: observability?.priceOf(p.gpu.id) ?? null,
      })),
      currency: observability?.currency ?? null,
      tenants: tenants.map((t) => this.tenantModel(t, observability)),
      kueueDeviceClassMappings: profile.usesDra ? this.deviceClassMappings(tenants) : [],
      kueueGangJobs: kueueGangJobs(this),
      trafficEdges: trafficEdges(this).map((e) => ({
        declaredBy: e.scope.node.path,
        name: e.name,
        description: e.description,
        from: peerText(e.from),
        to: peerText(e.to),
        ports: e.ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`),
      })),
      warnings: warnings(this),
    };
  }

  /** The report as JSON text. */
  public renderJson(): string {
    return `${JSON.stringify(this.model(), undefined, 2)}\n`;
  }

  /** The report as Markdown. */
  public renderMarkdown(): string {
    const m = this.model();
    const lines: string[] = [];
    lines.push(`# Platform report (Kubernetes ${m.kubernetesVersion}, GPUs through ${m.gpuAllocation})`, '');
    lines.push(`## CNCF Kubernetes AI Conformance ${m.kubernetesVersion}`, '');
    lines.push('| requirement | level | relied on by |', '| --- | --- | --- |');
    for (const r of m.conformance.requirements) lines.push(`| \`${r.id}\` (${r.category}) | ${r.level} | ${r.reliedOnBy.join(', ') || '-'} |`);
    lines.push('', '## GPU pools', '');
    lines.push('| pool | GPU | capacity | guaranteed to tenants | price per GPU-hour |', '| --- | --- | --- | --- | --- |');
    for (const p of m.pools) lines.push(`| ${p.name} | ${p.gpu} | ${p.capacity} | ${p.guaranteed} | ${p.pricePerHour === null ? '-' : `${p.pricePerHour} ${m.currency}`} |`);
    for (const t of m.tenants) {
      lines.push('', `## Tenant \`${t.namespace}\` (team ${t.team}, owner ${t.owner}, cost center ${t.costCenter})`, '');
      lines.push('| pool | quota key | guaranteed | hard quota | requested | pool capacity | est. cost/h |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const g of t.gpus) {
        lines.push(`| ${g.pool} | \`${g.quotaKey}\` | ${g.guaranteed} | ${g.hardQuota} | ${g.requested} | ${g.poolCapacity} | ${g.estimatedCostPerHour === null ? '-' : `${g.estimatedCostPerHour} ${m.currency}`} |`);
      }
      if (!t.gpus.length) lines.push('| - | - | 0 | 0 | 0 | - | - |');
      lines.push('', `Requested GPUs: ${t.requestedGpus}; estimated cost: ${t.estimatedCostPerHour === null ? 'unknown (no GPU prices)' : `${t.estimatedCostPerHour} ${m.currency}/h`}.`, '');
      lines.push('| readiness item | result | detail |', '| --- | --- | --- |');
      for (const c of t.checklist) lines.push(`| ${c.title} | ${c.result} | ${c.detail.replace(/\|/g, '\\|')} |`);
    }
    if (m.kueueDeviceClassMappings.length) {
      lines.push('', '## Kueue configuration the cluster needs', '', 'Kueue charges DRA devices only through `resources.deviceClassMappings` in its Configuration:', '', '```yaml', 'resources:', '  deviceClassMappings:');
      for (const d of m.kueueDeviceClassMappings) lines.push(`  - name: ${d.name}`, '    deviceClassNames:', ...d.deviceClassNames.map((n: string) => `    - ${n}`));
      lines.push('```');
    }
    if (m.kueueGangJobs.length) {
      lines.push('', '## Gang start: what Kueue needs', '', 'Kueue admits a gang against quota all-or-nothing, but it does not place ' +
        'pods: for the pods of a gang to start all together or not at all (and to be requeued when some cannot be placed), the ' +
        'Kueue Configuration needs `waitForPodsReady`. This report cannot see the Kueue Configuration: NOT CHECKED, required for ' +
        `${m.kueueGangJobs.join(', ')}.`, '', '```yaml', 'waitForPodsReady:', '  enable: true', '  blockAdmission: true', '```');
    }
    if (m.trafficEdges.length) {
      lines.push('', '## Allowed traffic', '', '| declared by | from | to | ports | why |', '| --- | --- | --- | --- | --- |');
      for (const e of m.trafficEdges) lines.push(`| ${e.declaredBy} | ${e.from} | ${e.to} | ${e.ports.join(', ')} | ${e.description} |`);
    }
    if (m.warnings.length) {
      lines.push('', '## Warnings', '');
      for (const w of m.warnings) lines.push(`- ${w}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /**
   * Writes the report files into `outdir` (default: the app's outdir).
   */
  public writeFiles(outdir?: string): void {
    const dir = this._outputDir(outdir);
    requireWritableDir(this, outdir !== undefined ? 'writeFiles.outdir' : 'outdir', dir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${this.fileName}.json`), this.renderJson());
    fs.writeFileSync(path.join(dir, `${this.fileName}.md`), this.renderMarkdown());
  }

  /**
   * The folder the report files go to.
   * @internal
   */
  public _outputDir(outdir?: string): string {
    return outdir ?? this.outdir ?? (this.node.root instanceof App ? this.node.root.outdir : 'dist');
  }

  private findObservability(): PlatformObservability | undefined {
    return PlatformObservability.of(this) ??
      this.node.root.node.findAll().find((c): c is PlatformObservability => PlatformObservability.isPlatformObservability(c));
  }

  private deviceClassMappings(tenants: AiTenant[]): { name: string; deviceClassNames: string[] }[] {
    const classes = new Set<string>();
    for (const t of tenants) {
      for (const key of Object.keys(t.gpuQuota)) {
        const m = /^(.+)\.deviceclass\.resource\.k8s\.io\/devices$/.exec(key);
        if (m) classes.add(m[1]);
      }
    }
    return [...classes].sort().map((c) => ({ name: `deviceclass.resource.kubernetes.io/${c}`, deviceClassNames: [c] }));
  }

  private tenantModel(t: AiTenant, observability: PlatformObservability | undefined): any {
    const demand = t.gpuDemand();
    const quota = t.gpuQuota;
    const gpus = t.pools.map((pool) => {
      const poolKey = this.primaryKeyOf(t, pool)!;
      const requested = this.requestedOnPool(t, pool, poolKey);
      const price = observability?.priceOf(pool.gpu.id);
      return {
        pool: pool.name,
        model: pool.gpu.id,
        quotaKey: poolKey,
        guaranteed: t.guaranteedGpus[pool.name],
        hardQuota: quota[poolKey],
        requested,
        poolCapacity: pool.gpuCapacity,
        pricePerHour: price ?? null,
        estimatedCostPerHour: price === undefined ? null : round(requested * price),
      };
    });
    const requestedGpus = Object.values(demand).reduce((s, n) => s + n, 0);
    const costs = gpus.map((g) => g.estimatedCostPerHour);
    return {
      namespace: t.namespaceName,
      team: t.team,
      owner: t.owner,
      costCenter: t.costCenter,
      agentic: t.agentic,
      queue: t.queueName,
      clusterQueue: t.clusterQueueName ?? null,
      gpus,
      requestedGpus,
      estimatedCostPerHour: costs.some((c) => c === null) ? null : round(costs.reduce((s: number, c) => s + (c as number), 0)),
      egressNeeds: t._egressNeeds().map(({ need, resolution, via }) => ({
        declaredBy: need.scope.node.path,
        kind: need.kind,
        pods: peerText(need.from),
        destination: need.destination,
        resolution,
        via: via ?? null,
      })),
      checklist: this.checklist(t, observability),
    };
  }

  private primaryKeyOf(t: AiTenant, pool: GpuNodePool): string | undefined {
    const keys = Object.keys(t.gpuQuota);
    const cls = pool.deviceClass?.name ?? pool.gpu.vendor.deviceClassName;
    return keys.find((k) => k === `${cls}.deviceclass.resource.k8s.io/devices`) ??
      keys.find((k) => k === `requests.${pool.gpu.vendor.extendedResourceName}`);
  }

  /** Demand on the pool's quota key; when several pools share the key, all of it is shown on the first. */
  private requestedOnPool(t: AiTenant, pool: GpuNodePool, key: string): number {
    const sharing = t.pools.filter((p) => this.primaryKeyOf(t, p) === key);
    const total = t.gpuDemand()[key] ?? 0;
    return sharing[0] === pool ? total : 0;
  }

  private checklist(t: AiTenant, observability: PlatformObservability | undefined): Check[] {
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
}

function hookSynth(app: App, report: PlatformReport): void {
  const reports: PlatformReport[] = (app as any)[WRAPPED] ?? [];
  if (reports.some((r) => r.fileName === report.fileName)) {
    throw invalidProp(report, 'fileName', report.fileName, `a name no other PlatformReport of the app uses (${reports.find((r) => r.fileName === report.fileName)!.node.path} uses it)`);
  }
  reports.push(report);
  if ((app as any)[WRAPPED]) return;
  Object.defineProperty(app, WRAPPED, { value: reports });
  // The jsii runtime (Python, Go) invokes `synth` through the object's class prototype, not an own property, so the
  // app gets a subclass of its own class whose synth writes the reports after the manifests.
  const Base = Object.getPrototypeOf(app).constructor as typeof App;
  class ReportingApp extends Base {
    public synth(): void {
      // Every output folder is checked before anything is written; a report that still cannot be written takes back
      // the manifests this synth created, so a failure leaves nothing new on disk.
      requireWritableDir(reports[0].node.root, 'outdir', this.outdir);
      for (const r of reports) requireWritableDir(r, 'outdir', r._outputDir());
      const before = new Set(listFiles(this.outdir));
      super.synth();
      try {
        for (const r of reports) r.writeFiles();
      } catch (err) {
        for (const f of listFiles(this.outdir)) if (!before.has(f)) fs.rmSync(f, { force: true });
        throw err;
      }
    }
  }
  Object.setPrototypeOf(app, ReportingApp.prototype);
}

/** Files under `dir` (full paths), none when it does not exist. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full) : [full];
  });
}

function peerText(p: TrafficPeer): string {
  const ranges = rangesOf(p);
  if (ranges.length) return `${ranges.join(', ')}${p.except?.length ? ` except ${p.except.join(', ')}` : ''}`;
  const pods = p.podLabels && Object.keys(p.podLabels).length ? labelText(p.podLabels, ',') : 'all pods';
  const where = p.namespaceLabels ? `namespaces ${labelText(p.namespaceLabels, ',')}` : (p.namespace ?? 'any namespace');
  return `${where}: ${pods}`;
}

/** Entries in sorted key order: maps from Go arrive in random order, the report must not. */
function sortedEntries<T>(values: Record<string, T>): [string, T][] {
  return Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `k1=v1<sep>k2=v2`, keys sorted. */
function labelText(labels: Record<string, string | number>, separator: string): string {
  return sortedEntries(labels).map(([k, v]) => `${k}=${v}`).join(separator);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Gang jobs Kueue schedules (JobSets and TrainJobs with a queue label), by construct path. */
function kueueGangJobs(scope: IConstruct): string[] {
  return scope.node.root.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && ['JobSet', 'TrainJob'].includes(c.kind) &&
      c.metadata.getLabel('kueue.x-k8s.io/queue-name') !== undefined)
    .map((o) => o.node.scope!.node.path);
}
