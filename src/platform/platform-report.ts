import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App } from 'cdk8s';
import { Construct } from 'constructs';
import { aiConformanceChecklist, requirementsOf } from './ai-conformance';
import { AiTenant } from './ai-tenant';
import { declaredKueueConfiguration, kueueGangJobs, kueueMarkdown } from './kueue-report';
import { labelText, tenantChecklist } from './tenant-checklist';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { ClusterProfile } from '../cluster/cluster-profile';
import { warnings } from '../cluster/platform-warnings';
import { invalidProp } from '../internal/errors';
import { requireWritableDir } from '../internal/output-paths';
import { podSpecsBelow, secretsOf } from '../internal/pod-templates';
import { checkProps, opt } from '../internal/runtime-checks';
import { trafficEdges } from '../security/tenant-network';
import { rangesOf, TrafficPeer } from '../security/traffic-edge';
import { PlatformObservability } from './observability/platform-observability';

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

const WRAPPED = Symbol.for('cdk8s-ai.PlatformReport.synth');

/**
 * A synth-time report of the platform, written as Markdown and JSON next to the manifests when `app.synth()`
 * succeeds (never when validation fails): the CNCF Kubernetes AI Conformance requirements of the target version
 * (ids and MUST/SHOULD levels) with the constructs that rely on each; per tenant its GPU quota, the GPUs its
 * workloads request, the pool capacity, the estimated cost per hour and the readiness checklist (quota owned,
 * isolation, default-deny, cost visible, probes/PDBs/limits, model artifact retention, backups, runbooks, image
 * signing) with pass/fail per item; the Kueue DRA mapping the cluster needs; Kueue's `waitForPodsReady` for gang jobs
 * (checked when the ClusterProfile declares it with `ClusterAddon.kueueWith`, else not checked); every declared
 * traffic edge; and the synth warnings. Deterministic: no timestamps.
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
    const kueueConfiguration = declaredKueueConfiguration(profile);
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
        // only when set: the report of an app without such pools stays as it was
        ...(p.provisioningRequest ? { provisioningClass: p.provisioningRequest.className } : {}),
      })),
      currency: observability?.currency ?? null,
      tenants: tenants.map((t) => this.tenantModel(t, observability)),
      kueueDeviceClassMappings: profile.usesDra ? this.deviceClassMappings(tenants) : [],
      kueueGangJobs: kueueGangJobs(this),
      // only when declared: the report of an app that declares nothing stays as it was
      ...(kueueConfiguration ? { kueueConfiguration } : {}),
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
      if (t.sandboxedWorkloads.length) {
        lines.push('', '| workload | runs sandboxed under the RuntimeClass |', '| --- | --- |');
        for (const r of t.sandboxedWorkloads) lines.push(`| ${r.workload} | \`${r.runtimeClass}\` |`);
      }
      if (t.secretsRead.length) {
        lines.push('', '| workload | reads the Secrets |', '| --- | --- |');
        for (const r of t.secretsRead) lines.push(`| ${r.workload} | ${r.secrets.map((x: string) => `\`${x}\``).join(', ')} |`);
      }
    }
    kueueMarkdown(m, lines);
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
      checklist: tenantChecklist(t, observability),
      secretsRead: secretsRead(t),
      sandboxedWorkloads: sandboxedWorkloads(t),
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

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Every workload of the tenant that reads Secrets, with what it reads (`name/key` or the whole `name`), by object. */
function secretsRead(t: AiTenant): { workload: string; secrets: string[] }[] {
  const byWorkload = new Map<string, Set<string>>();
  for (const found of podSpecsBelow(t)) {
    const secrets = secretsOf(found.spec);
    if (!secrets.length) continue;
    const workload = `${found.object.kind}/${found.object.name}`;
    const set = byWorkload.get(workload) ?? new Set<string>();
    secrets.forEach((x) => set.add(x));
    byWorkload.set(workload, set);
  }
  return [...byWorkload].sort(([a], [b]) => a.localeCompare(b)).map(([workload, set]) => ({ workload, secrets: [...set].sort() }));
}

/** Every workload of the tenant whose pods run under a RuntimeClass (agent sandboxes behind gVisor or Kata), by object. */
function sandboxedWorkloads(t: AiTenant): { workload: string; runtimeClass: string }[] {
  const rows = new Map<string, string>();
  for (const found of podSpecsBelow(t)) {
    if (typeof found.spec.runtimeClassName === 'string') rows.set(`${found.object.kind}/${found.object.name}`, found.spec.runtimeClassName);
  }
  return [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([workload, runtimeClass]) => ({ workload, runtimeClass }));
}
