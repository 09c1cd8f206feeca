import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { PlatformReport } from '../../src/platform/platform-report';
import { badInputCatalogue } from '../harness';
import { GpuServer, platform } from '../security/fixtures';

function build(outdir: string, version = KubernetesVersion.V1_34, overcommit = false) {
  const p = platform({ outdir, version });
  new PlatformObservability(p.chart, 'Observability', { gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 4.5 }], runbookBaseUrl: 'https://runbooks.example.com/ai' });
  const research = new AiTenant(p.chart, 'research', { team: 'research', owner: 'alice', costCenter: 'cc-100', gpuQuota: [{ pool: p.pool, gpus: 8 }] });
  const prod = new AiTenant(p.chart, 'prod', {
    team: 'serving',
    owner: 'bob',
    costCenter: 'cc-200',
    gpuQuota: [{ pool: p.pool, gpus: 8, borrowingLimit: overcommit ? 0 : 8 }],
    operations: { runbookUrl: 'https://runbooks.example.com/prod', backupPolicyUrl: 'https://wiki.example.com/backups', modelRetentionDays: 90 },
  });
  new GpuServer(research, 'llm', { pool: p.pool, gpus: 2, replicas: 2 });
  new GpuServer(prod, 'chat', { pool: p.pool, gpus: overcommit ? 4 : 1, replicas: 3 });
  const report = new PlatformReport(p.chart, 'Report');
  return { ...p, report };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-report-'));

describe('PlatformReport', () => {
  test('writes Markdown and JSON into the outdir when synth succeeds, byte-identical across runs', () => {
    const a = tmp();
    const b = tmp();
    build(a).app.synth();
    build(b).app.synth();
    for (const f of ['platform-report.md', 'platform-report.json']) {
      expect(fs.existsSync(path.join(a, f))).toBe(true);
      expect(fs.readFileSync(path.join(a, f), 'utf8')).toBe(fs.readFileSync(path.join(b, f), 'utf8'));
    }
  });

  test('the same labels in another map order give the same bytes (Go hands maps over in random order)', () => {
    const render = (podLabels: Record<string, string>) => {
      const p = platform({ outdir: tmp() });
      new AiTenant(p.chart, 't', { team: 't', owner: 'o', costCenter: 'c', dns: { podLabels } });
      return new PlatformReport(p.chart, 'Report');
    };
    const a = render({ 'k8s-app': 'kube-dns', 'app.kubernetes.io/name': 'coredns' });
    const b = render({ 'app.kubernetes.io/name': 'coredns', 'k8s-app': 'kube-dns' });
    expect(a.renderJson()).toBe(b.renderJson());
    expect(a.renderMarkdown()).toBe(b.renderMarkdown());
    expect(a.model().trafficEdges[0].to).toBe('kube-system: app.kubernetes.io/name=coredns,k8s-app=kube-dns');
  });

  test('writes nothing when validation fails', () => {
    const dir = tmp();
    const { app } = build(dir, KubernetesVersion.V1_34, true);
    expect(() => app.synth()).toThrow(/quota overcommit/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('lists the conformance requirements of the target version with the constructs relying on them', () => {
    const m34 = build(tmp()).report.model();
    expect(m34.conformance.requirements.map((r: any) => `${r.id}:${r.level}`)).toEqual([
      'dra_support:MUST', 'ai_inference:MUST', 'gang_scheduling:MUST', 'cluster_autoscaling:MUST', 'pod_autoscaling:MUST',
      'accelerator_metrics:MUST', 'ai_service_metrics:MUST', 'secure_accelerator_access:MUST', 'robust_controller:MUST',
    ]);
    const req = (m: any, id: string) => m.conformance.requirements.find((r: any) => r.id === id);
    expect(req(m34, 'dra_support').reliedOnBy).toEqual(['platform/prod/chat', 'platform/research/llm']);
    expect(req(m34, 'gang_scheduling').reliedOnBy).toEqual(['platform/prod', 'platform/research']);
    expect(req(m34, 'accelerator_metrics').reliedOnBy).toContain('platform/Observability');
    const m36 = build(tmp(), KubernetesVersion.V1_36).report.model();
    expect(m36.conformance.requirements.filter((r: any) => r.level === 'MUST')).toHaveLength(8);
    expect(m36.conformance.requirements.filter((r: any) => r.level === 'SHOULD')).toHaveLength(6);
    expect(req(m36, 'dra_support')).toBeUndefined();
    const m37 = build(tmp(), KubernetesVersion.V1_37).report.model();
    expect(req(m37, 'workload_sandboxing').level).toBe('SHOULD');
  });

  test('per tenant: quota, requested GPUs, capacity, cost and the readiness checklist', () => {
    const m = build(tmp()).report.model();
    const prod = m.tenants.find((t: any) => t.namespace === 'prod');
    expect(prod.gpus).toEqual([{
      pool: 'h100',
      model: 'nvidia-h100-80gb',
      quotaKey: 'gpu.nvidia.com.deviceclass.resource.k8s.io/devices',
      guaranteed: 8,
      hardQuota: 16,
      requested: 3,
      poolCapacity: 16,
      pricePerHour: 4.5,
      estimatedCostPerHour: 13.5,
    }]);
    const status = (t: any) => Object.fromEntries(t.checklist.map((c: any) => [c.id, c.pass]));
    expect(status(prod)).toEqual({
      'gpu-quota-owned': true,
      'namespace-isolation': true,
      'default-deny': true,
      'cost-visible': true,
      'probes-pdbs-limits': true,
      // Declarations the YAML cannot prove are reported as DECLARED (pass: null), never PASS (issue 17).
      'model-artifact-retention': null,
      'backups': null,
      'runbooks': true,
      'image-signing': false,
    });
    const research = m.tenants.find((t: any) => t.namespace === 'research');
    expect(status(research)).toMatchObject({ 'model-artifact-retention': false, 'backups': false, 'runbooks': false });
    expect(m.kueueDeviceClassMappings).toEqual([{ name: 'deviceclass.resource.kubernetes.io/gpu.nvidia.com', deviceClassNames: ['gpu.nvidia.com'] }]);
  });

  test('readiness fails when a served container has no probe or a replicated server no PDB', () => {
    const p = platform({ outdir: tmp() });
    const t = new AiTenant(p.chart, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 4 }] });
    new GpuServer(t, 'srv', { pool: p.pool, gpus: 1, replicas: 2, probe: false, pdb: false });
    const report = new PlatformReport(p.chart, 'Report');
    const item = report.model().tenants[0].checklist.find((c: any) => c.id === 'probes-pdbs-limits');
    expect(item.pass).toBe(false);
    expect(item.detail).toBe('Deployment t-srv container server has no readinessProbe; Deployment t-srv (2 replicas) has no PodDisruptionBudget');
    expect(report.renderMarkdown()).toContain('| Probes, PDBs and resource requests | FAIL |');
  });

  test('declarations it cannot check and an empty set of alerts are DECLARED, never PASS (issue 17)', () => {
    const p = platform({ outdir: tmp() });
    new AiTenant(p.chart, 't', {
      team: 't',
      owner: 'o',
      costCenter: 'c',
      gpuQuota: [{ pool: p.pool, gpus: 4 }],
      operations: { runbookUrl: 'https://runbooks.example.com/t', backupPolicyUrl: 'https://wiki.example.com/backups', modelRetentionDays: 30 },
    });
    const report = new PlatformReport(p.chart, 'Report');
    const byId = Object.fromEntries(report.model().tenants[0].checklist.map((c: any) => [c.id, c]));
    expect(byId.runbooks).toMatchObject({ pass: null, result: 'DECLARED' });
    expect(byId.runbooks.detail).toContain('the tenant has no alerts, so no alert links it');
    expect(byId.backups).toMatchObject({ pass: null, result: 'DECLARED' });
    expect(byId['model-artifact-retention']).toMatchObject({ pass: null, result: 'DECLARED' });
    const md = report.renderMarkdown();
    expect(md).toContain('| Backups | DECLARED | declared: backup policy https://wiki.example.com/backups (not checked: the YAML cannot show backups) |');
    expect(md).not.toMatch(/\| (Backups|Model artifact retention|Incident runbooks) \| PASS \|/);
  });
});

badInputCatalogue([
  {
    name: 'two reports with the same file name',
    build: (scope) => { new PlatformReport(scope, 'a'); new PlatformReport(scope, 'b'); },
    error: '[bad-input/b] fileName (file_name): got "platform-report"; expected a name no other PlatformReport of the app uses (bad-input/a uses it)',
  },
  {
    name: 'report file name with a path',
    build: (scope) => { new PlatformReport(scope, 'a', { fileName: '../report' }); },
    error: '[bad-input/a] fileName (file_name): got "../report"; expected a file name of letters, digits, ".", "_" and "-"',
  },
], { title: 'PlatformReport bad inputs' });
