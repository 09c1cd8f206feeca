/**
 * Issue 12: the policy scanners platform teams already run (kube-linter, checkov) report zero findings on everything
 * cdk8s-ai generates: the example platform and a sample of generated apps. A finding fails the test with the
 * scanner's check, its own message and the object it names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthExample } from './example-app';
import { SAMPLE_SEED, sampleApps } from './sample-apps';
import { Finding, KubeObject, PROJECT_ROOT, ScanReport, formatFindings, parseYamlObjects, scan, scannerPaths } from './scanners';

const BUILD_TIMEOUT_MS = 30 * 60_000;
const SCAN_TIMEOUT_MS = 10 * 60_000;
const reports: ScanReport[] = [];

beforeAll(() => {
  scannerPaths();
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (reports.length === 0) return;
  const summary = {
    seed: SAMPLE_SEED,
    apps: reports.length,
    objects: reports.reduce((n, r) => n + r.objects, 0),
    embeddedTemplates: reports.reduce((n, r) => n + r.embeddedTemplates, 0),
    findings: reports.reduce((n, r) => n + r.findings.length, 0),
    scans: reports.map(({ label, objects, embeddedTemplates, kubeLinterChecked, checkovChecked, findings, kubeLinterMs, checkovMs }) =>
      ({ label, objects, embeddedTemplates, kubeLinterChecked, checkovChecked, findings: findings.length, kubeLinterMs, checkovMs })),
  };
  const dir = path.join(PROJECT_ROOT, 'test-reports');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'scanners.json'), JSON.stringify(summary, null, 2) + '\n');
});

async function scanned(label: string, objects: KubeObject[]): Promise<ScanReport> {
  const report = await scan(label, objects);
  reports.push(report);
  return report;
}

function expectNoFindings(findings: readonly Finding[]) {
  // The diff shows every finding, one line each, with the scanner's message and the object.
  expect(formatFindings(findings)).toEqual('');
}

describe('the scanners catch what they should', () => {
  // Manifests that are wrong in the ways the scanners exist for: proof that a clean result means something.
  const podSpec = { containers: [{ name: 'main', image: 'nginx:latest', securityContext: { privileged: true } }] };
  const jobTemplate = { spec: { template: { spec: podSpec } } };
  const meta = (name: string) => ({ name, namespace: 'demo' });
  const bad: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: meta('bad'), spec: podSpec },
    {
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: meta('trainer'),
      spec: { replicatedJobs: [{ name: 'workers', replicas: 1, template: jobTemplate }] },
    },
    {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainingRuntime',
      metadata: meta('runtime'),
      spec: { template: { spec: { replicatedJobs: [{ name: 'node', replicas: 1, template: jobTemplate }] } } },
    },
    {
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      metadata: meta('server'),
      spec: { leaderWorkerTemplate: { size: 2, leaderTemplate: { spec: podSpec }, workerTemplate: { spec: podSpec } } },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: meta('eval'),
      spec: { metrics: [{ name: 'score', provider: { job: jobTemplate } }] },
    },
  ];
  const templates = {
    'JobSet/demo/trainer spec.replicatedJobs[workers].template (scanned as a Job)': ['job-ttl-seconds-after-finished'],
    'TrainingRuntime/demo/runtime spec.template.spec.replicatedJobs[node].template (scanned as a Job)': [],
    'LeaderWorkerSet/demo/server spec.leaderWorkerTemplate.leaderTemplate (scanned as a Pod)': [],
    'LeaderWorkerSet/demo/server spec.leaderWorkerTemplate.workerTemplate (scanned as a Pod)': [],
    'AnalysisTemplate/demo/eval spec.metrics[score].provider.job (scanned as a Job)': ['job-ttl-seconds-after-finished'],
  };

  let badScan: Promise<ScanReport> | undefined;
  const scanBad = () => (badScan ??= scan('deliberately bad', bad));
  const checksOn = (report: ScanReport, scanner: string, object: string) =>
    report.findings.filter((f) => f.scanner === scanner && f.object === object).map((f) => f.check);

  test('a privileged pod with a :latest image gets findings from both scanners, naming the object', async () => {
    const report = await scanBad();
    expect(checksOn(report, 'kube-linter', 'Pod/demo/bad')).toEqual(expect.arrayContaining(['privileged-container', 'latest-tag']));
    expect(checksOn(report, 'checkov', 'Pod/demo/bad')).toEqual(expect.arrayContaining(['CKV_K8S_16', 'CKV_K8S_14']));
    const message = report.findings.find((f) => f.scanner === 'kube-linter' && f.check === 'privileged-container')!.message;
    expect(message).toContain('container "main" is privileged');
    expect(report.objects).toBe(bad.length);
  }, SCAN_TIMEOUT_MS);

  test.each(Object.entries(templates))('the pod template of %s is scanned, findings name the custom resource', async (object, extra) => {
    const report = await scanBad();
    expect(checksOn(report, 'kube-linter', object)).toEqual(expect.arrayContaining(['privileged-container', 'latest-tag', ...extra]));
    expect(checksOn(report, 'checkov', object)).toEqual(expect.arrayContaining(['CKV_K8S_16', 'CKV_K8S_14']));
  }, SCAN_TIMEOUT_MS);

  test('every embedded template was inspected by both scanners', async () => {
    const report = await scanBad();
    const templateCount = Object.keys(templates).length;
    expect(report.embeddedTemplates).toBe(templateCount);
    expect(report.kubeLinterChecked).toBe(templateCount + 1);
    expect(report.checkovChecked).toBe(templateCount + 1);
  }, SCAN_TIMEOUT_MS);

  test('the Jobs of a Kubeflow TrainJob are not asked for a TTL their owner cannot have', async () => {
    const report = await scanBad();
    const runtime = Object.keys(templates).find((t) => t.startsWith('TrainingRuntime'))!;
    expect(checksOn(report, 'kube-linter', runtime)).not.toContain('job-ttl-seconds-after-finished');
  }, SCAN_TIMEOUT_MS);
});

describe('what remains of a check disabled for one kind of workload is still enforced', () => {
  const container = (extra: Record<string, unknown>) => ({ name: 'main', image: 'registry.example/app@sha256:' + 'd'.repeat(64), ...extra });
  const pod = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo' }, spec });
  const objects: KubeObject[] = [
    pod('writable-no-gpu', { automountServiceAccountToken: false, containers: [container({ securityContext: { readOnlyRootFilesystem: false } })] }),
    pod('writable-gpu', {
      automountServiceAccountToken: false,
      resourceClaims: [{ name: 'gpus', resourceClaimTemplateName: 'gpus' }],
      containers: [container({ resources: { claims: [{ name: 'gpus' }] } })],
    }),
    pod('writable-extended-gpu', { automountServiceAccountToken: false, containers: [container({ resources: { limits: { 'nvidia.com/gpu': 1 } } })] }),
    pod('token-unbound', { serviceAccountName: 'app', containers: [container({ securityContext: { readOnlyRootFilesystem: true } })] }),
    pod('token-bound', { serviceAccountName: 'picker', containers: [container({ securityContext: { readOnlyRootFilesystem: true } })] }),
    pod('tag-unsigned-namespace', {
      automountServiceAccountToken: false,
      containers: [container({ image: 'registry.example/app:1.0', imagePullPolicy: 'Always', securityContext: { readOnlyRootFilesystem: true } })],
    }),
    {
      ...pod('tag-signed-namespace', {
        automountServiceAccountToken: false,
        containers: [container({ image: 'registry.example/app:1.0', imagePullPolicy: 'Always', securityContext: { readOnlyRootFilesystem: true } })],
      }),
      metadata: { name: 'tag-signed-namespace', namespace: 'signed' },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'signed', labels: { 'policy.sigstore.dev/include': 'true' } } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'picker', namespace: 'demo' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'picker' },
      subjects: [{ kind: 'ServiceAccount', name: 'picker', namespace: 'demo' }],
    },
  ];

  test('a container without GPUs needs a read-only root filesystem; one with GPUs (claim or extended resource) does not', async () => {
    const report = await scan('narrowed checks', objects);
    const narrowed = (check: string) => report.findings.filter((f) => f.scanner === 'cdk8s-ai' && f.check.startsWith(check)).map((f) => f.object).sort();
    expect(narrowed('no-read-only-root-fs')).toEqual(['Pod/demo/writable-no-gpu']);
    expect(narrowed('CKV_K8S_38')).toEqual(['Pod/demo/token-unbound']);
    // The scanners' own versions are off (configured), so these are the only findings of that kind.
    expect(report.findings.filter((f) => ['no-read-only-root-fs', 'CKV_K8S_22', 'CKV_K8S_38', 'CKV_K8S_43'].includes(f.check))).toEqual([]);
  }, SCAN_TIMEOUT_MS);

  test('an image without a digest is allowed only in a namespace the app opts into sigstore policy-controller', async () => {
    const report = await scan('narrowed checks', objects);
    const digests = report.findings.filter((f) => f.scanner === 'cdk8s-ai' && f.check.startsWith('CKV_K8S_43')).map((f) => f.object);
    expect(digests).toEqual(['Pod/demo/tag-unsigned-namespace']);
    expect(report.findings.find((f) => f.object === 'Pod/demo/tag-unsigned-namespace' && f.check.startsWith('CKV_K8S_43'))!.message)
      .toContain('registry.example/app:1.0');
  }, SCAN_TIMEOUT_MS);
});

describe('the checked-in scanner configurations', () => {
  const entries = (file: string, key: string) => {
    const lines = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').split('\n');
    const start = lines.findIndex((l) => new RegExp(`^\\s*${key}:`).test(l));
    expect(start).toBeGreaterThanOrEqual(0);
    if (/:\s*\[\]\s*(#.*)?$/.test(lines[start])) return [];
    const out: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (!/^\s*-\s/.test(line)) break;
      out.push(line);
    }
    return out;
  };

  const config = (file: string) => parseYamlObjects(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'), file)[0] as any;

  test('kube-linter runs every default check', () => {
    expect(config('.kube-linter.yaml').checks.doNotAutoAddDefaults).toBe(false);
  });

  test('checkov runs every Kubernetes check (no allow-list, no severity floor)', () => {
    const ckv = config('.checkov.yaml');
    expect(ckv.framework).toEqual(['kubernetes']);
    for (const narrowing of ['check', 'skip-framework', 'check-threshold', 'skip-check-threshold', 'soft-fail', 'soft-fail-on']) {
      expect(ckv).not.toHaveProperty([narrowing]);
    }
  });

  test.each([
    ['.kube-linter.yaml', 'exclude'],
    ['.checkov.yaml', 'skip-check'],
  ])('every check %s disables (%s) has its reason on the same line', (file, key) => {
    for (const line of entries(file, key)) {
      expect(line).toMatch(/^\s*-\s+[A-Za-z0-9_-]+\s+#\s*\S.{15,}$/);
    }
  });
});

describe('zero findings on what cdk8s-ai generates', () => {
  test('the example platform (examples/main.ts)', async () => {
    // An example that synthesizes nothing is a failure, not a pass that checked nothing: it is the app the README
    // tells users to copy, and the only scan of every construct wired together.
    const example = synthExample();
    if (example.objects.length === 0) {
      throw new Error('examples/main.ts synthesized no objects (cdk8s wrote no YAML); the example platform must build the ' +
        'constructs a user copies (GpuNodePool, AiTenant, GangTrainingJob, InferenceService, ...) so that the scanners check them');
    }
    const report = await scanned('examples/main.ts', example.objects);
    expect(report.objects).toBe(example.objects.length);
    expectNoFindings(report.findings);
  }, SCAN_TIMEOUT_MS);

  const apps = sampleApps();

  test.each(apps.map((a) => [a.label, a] as const))('generated app %s', async (_label, app) => {
    const report = await scanned(app.label, app.objects());
    expect(report.objects).toBeGreaterThan(0);
    expectNoFindings(report.findings);
  }, SCAN_TIMEOUT_MS);
});
