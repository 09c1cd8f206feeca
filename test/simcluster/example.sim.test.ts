/**
 * Behaviour of the example platform (examples/main.ts, the app the README tells users to copy) on the simulated
 * cluster: its YAML, server-side applied as Argo CD or `kubectl apply --server-side` would, is run by the real
 * controllers: every workload reaches its running state on the pool it should use, every claim is allocated to the
 * devices it asks for, the research gang is admitted by Kueue, and a GitOps re-sync after the controllers acted
 * neither conflicts nor drifts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readOutput, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectPickerServes } from './epp';
import { GITOPS_MANAGER, podsOf, expectRunningOnPools, claimsAllocated, reapplyWithoutConflict, expectedPods, isReady } from './expectations';
import { claimsBound, finishJob, provisionModelVolumes } from './model-volumes';
import { AiApp } from '../../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the example imports '../lib' (the compiled package); here it is src/
jest.mock('../../lib', () => require('../../src'), { virtual: true });

const SIM_TIMEOUT = 600_000;

function synthExampleInProcess(): { app: AiApp; out: SynthesizedApp } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-example-sim-'));
  const previous = process.env.CDK8S_OUTDIR;
  let app: AiApp | undefined;
  // The example's app is an AiApp (the same module as '../../lib' through the mock above).
  const synth = jest.spyOn(AiApp.prototype, 'synth').mockImplementation(function (this: AiApp) {
    app = this;
    synth.mockRestore();
    return this.synth();
  });
  try {
    process.env.CDK8S_OUTDIR = outdir;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- run the example's module body (it calls app.synth())
    require('../../examples/main');
    if (!app) throw new Error('examples/main.ts did not call app.synth()');
    return { app, out: readOutput(app, outdir) };
  } finally {
    if (previous === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = previous;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the example platform on the simulated cluster', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = synthExampleInProcess().out;
    cluster = await SimCluster.start({
      pools: out.pools,
      kueueConfig: { resources: { deviceClassMappings: out.deviceClassMappings } },
      log: process.env.CDK8S_AI_SIM_VERBOSE ? (m) => process.stderr.write(`[sim] ${m}\n`) : undefined,
    });
    // The storage the cluster's provisioner would supply for the shared model volume (see model-volumes.ts).
    await provisionModelVolumes(cluster, out.objects);
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('every workload runs on the pool it should use', async () => {
    await expectRunningOnPools(cluster, out.objects, 180_000);
    const pods = await podsOf(cluster, out.objects);
    // 4 training workers, 2 model servers (the stable one's Deployment leaves replicas to KEDA, which does not run
    // here, so the apiserver's default of 1; 1 canary), 2 endpoint pickers, 1 eval Job, 1 model download Job
    expect(pods).toHaveLength(10);
    console.log(`example platform: ${pods.length} pods Running (${JSON.stringify(cluster.timings)})`);
  }, SIM_TIMEOUT);

  test('every ResourceClaim is allocated to devices of the requested model', async () => {
    const devices = await claimsAllocated(cluster, out.objects, 60_000);
    // The example's claims all ask for H100s: 4 per research worker (4 workers), 1 per model server (2 pods).
    expect(devices).toHaveLength(4 * 4 + 2);
    expect(new Set(devices.map((d) => `${d.attributes.type} ${d.attributes.productName}`))).toEqual(new Set(['gpu NVIDIA H100 80GB HBM3']));
    const perClaim = new Map<string, number>();
    for (const d of devices) perClaim.set(d.claim, (perClaim.get(d.claim) ?? 0) + 1);
    expect([...perClaim.values()].sort()).toEqual([1, 1, 4, 4, 4, 4]);
  }, SIM_TIMEOUT);

  test('the shared model volume is bound, its download Job completes, and the servers mount it read-only', async () => {
    const [claim] = await claimsBound(cluster, out.objects, 60_000);
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    const job = out.objects.find((o) => o.kind === 'Job' && (o.metadata.labels as any)?.['app.kubernetes.io/component'] === 'model-download')!;
    expect(job).toBeDefined();
    const done = await finishJob(cluster, job, 60_000);
    expect(done.status.succeeded).toBe(1);
    const servers = out.objects.filter((o) => o.kind === 'Deployment'
      && ((o.spec as any).template.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim.metadata.name));
    expect(servers.map((s) => s.metadata.name)).toEqual(['serving-llama']);
    const pods = await podsOf(cluster, servers);
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      expect(isReady(pod)).toBe(true);
      expect(pod.spec.initContainers.map((c: any) => c.name)).toContain('model-wait');
      const mounted = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim;
      expect(mounted).toEqual({ claimName: claim.metadata.name, readOnly: true });
    }
  }, SIM_TIMEOUT);

  test('the research gang is admitted by Kueue', async () => {
    const jobsets = out.objects.filter((o) => o.kind === 'JobSet');
    expect(jobsets.length).toBeGreaterThan(0);
    for (const js of jobsets) {
      await cluster.waitFor(`Workload of JobSet ${js.metadata.name} admitted`, async () => {
        const wls = (await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', js.metadata.namespace as string))
          .filter((w) => (w.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'JobSet' && r.name === js.metadata.name));
        if (!wls.length) return 'no Workload yet';
        const admitted = wls.some((w) => (w.status?.conditions ?? []).some((c: any) => c.type === 'Admitted' && c.status === 'True'));
        return admitted || `conditions: ${JSON.stringify(wls.map((w) => w.status?.conditions))}`;
      }, 60_000);
    }
  }, SIM_TIMEOUT);

  test('every endpoint picker starts with our exact args and config, reports ready and lists its pool\'s pods', async () => {
    const pickers = out.objects.filter((o) => o.kind === 'Deployment' && (o.metadata.labels as any)?.['app.kubernetes.io/component'] === 'endpoint-picker');
    expect(pickers.length).toBeGreaterThan(0);
    for (const picker of pickers) {
      const pool = out.objects.find((o) => o.kind === 'InferencePool' && o.metadata.namespace === picker.metadata.namespace
        && (o.spec as any).endpointPickerRef?.name === `${picker.metadata.name}`)
        ?? out.objects.find((o) => o.kind === 'InferencePool' && o.metadata.namespace === picker.metadata.namespace
          && String(picker.metadata.name).startsWith(String(o.metadata.name)));
      expect(pool).toBeDefined();
      const selector = (pool!.spec as any).selector.matchLabels;
      const servers = out.objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === picker.metadata.namespace
        && Object.entries(selector).every(([k, v]) => (o.spec as any).template.metadata.labels?.[k] === v));
      const want = expectedPods(servers).reduce((s, e) => s + e.count, 0);
      const podIps = (await podsOf(cluster, servers)).map((p) => p.status.podIP).sort();
      expect(podIps).toHaveLength(want);
      await expectPickerServes(cluster, picker, out.objects, { pool: pool!, podIps });
    }
  }, SIM_TIMEOUT);

  test('a GitOps re-sync after the controllers acted neither conflicts nor drifts', async () => {
    await reapplyWithoutConflict(cluster, out.objects);
  }, SIM_TIMEOUT);
});
