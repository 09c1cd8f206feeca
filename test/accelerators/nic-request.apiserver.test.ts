// NicRequest on the real apiserver (1.34 and 1.37 profiles): the ResourceClaimTemplate with GPU and NIC requests and
// their pcieRoot constraints, and the worker Job that references it, are accepted as sent (nothing dropped).
import { Env, ENVS } from './fixtures';
import { nicApp, nicGang } from './nic-fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicRequest } from '../../src/accelerators/nic-request';
import { KubeObject, toObjects, validateObjects } from '../harness';
import { workerJob, workloadObjects } from '../training/fixtures';

const CASES: [string, () => NicRequest, (() => GpuRequest) | undefined][] = [
  ['8 GPUs, 8 aligned RDMA NICs', () => NicRequest.of(8, { alignWithGpus: true }), undefined],
  ['8 GPUs, 4 aligned RDMA NICs', () => NicRequest.of(4, { alignWithGpus: true }), undefined],
  ['2 GPUs, 1 aligned NIC', () => NicRequest.of(1, { alignWithGpus: true }), () => GpuRequest.of(2)],
  ['8 GPUs, 2 NICs in a claim of their own', () => NicRequest.of(2, { rdma: false, extraSelectors: ["device.attributes['dra.net'].numaNode == 0"] }), undefined],
];

/** The synthesized objects plus the worker Job the JobSet controller creates from the pod template. */
function objectsFor(env: Env, nics: NicRequest, gpus?: GpuRequest): KubeObject[] {
  const { app, chart } = nicApp(env);
  nicGang(chart, { nicsPerWorker: nics, ...(gpus ? { gpusPerWorker: gpus } : {}) });
  app.synthYaml();
  const objects = toObjects(chart);
  return [...objects, workerJob(workloadObjects(objects).template)];
}

describe.each(ENVS)('NIC claims on the %s environment', (env) => {
  test.each(CASES)('%s: accepted as sent', async (_name, nics, gpus) => {
    const sent = objectsFor(env, nics(), gpus?.());
    const results = await validateObjects(sent, { environment: env });
    expect(results.map((r) => r.object.kind).sort()).toEqual(sent.map((o) => o.kind).sort());
    const claims = results.filter((r) => r.object.kind === 'ResourceClaimTemplate').map((r) => (r.response as any).spec.spec.devices);
    const sentClaims = sent.filter((o) => o.kind === 'ResourceClaimTemplate').map((o) => (o as any).spec.spec.devices);
    // The apiserver kept every request and constraint (the harness also fails on any dropped field).
    expect(claims.map((d) => d.requests.length)).toEqual(sentClaims.map((d) => d.requests.length));
    expect(claims.map((d) => (d.constraints ?? []).length)).toEqual(sentClaims.map((d) => (d.constraints ?? []).length));
    const request = nics();
    const pcieRoots = claims.flatMap((d) => d.constraints ?? []).filter((c: any) => c.matchAttribute === 'resource.kubernetes.io/pcieRoot');
    expect(pcieRoots).toHaveLength(request.alignWithGpus ? request.count : 0);
  });
});
