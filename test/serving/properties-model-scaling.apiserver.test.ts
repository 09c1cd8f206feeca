/**
 * fast-check over the model artifacts and autoscalers of issue 18: generated services with a shared model volume (a
 * new ReadWriteMany or ReadWriteOnce claim, an existing claim, or a node-local volume on the service's pool) and an
 * autoscaler (KEDA on a server metric or on the picker's pool signal, with or without an explicit Prometheus address,
 * or an HPA on the pool signal from the external metrics API), in a plain chart or a tenant, synthesize; every object
 * and every pod template (as a Pod, under Pod Security restricted) passes the real apiserver; and the invariants hold:
 * the servers mount the model read-only and wait for its marker, nothing mounts a hostPath, a node-local volume's
 * PersistentVolume has the fill DaemonSet's node affinity and is pre-bound to the claim, a ScaledObject always has a
 * Prometheus address (the stack's when none is given), and an HPA asks for the picker's metric with its pool as the
 * selector. A second property sends HPAs with minReplicas 0 to the 1.37 apiserver, where HPAScaleToZero is on.
 */
import { Chart, Size, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { validatable } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { MonitoringStack } from '../../src/cluster/monitoring-stack';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { PoolMetric, ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { ModelVolumeAccessMode, SharedModelVolume } from '../../src/serving/shared-model-volume';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const H100 = GpuModel.NVIDIA_H100_80_GB;
const POD_KINDS = ['Deployment', 'Job', 'DaemonSet'];

const caseArb = fc.record({
  volume: fc.constantFrom('rwx', 'rwo', 'existing', 'node-local'),
  uri: fc.constantFrom('s3://models/llama-3.1-8b', 'gs://models/llama', 'hf://meta-llama/Llama-3.1-8B-Instruct'),
  credentials: fc.boolean(),
  sizeGi: fc.integer({ min: 1, max: 2000 }),
  scaler: fc.constantFrom('keda', 'kedaPool', 'external'),
  serverMetric: fc.constantFrom(ServerMetric.QUEUE_DEPTH, ServerMetric.RUNNING_REQUESTS, ServerMetric.KV_CACHE_USAGE),
  poolMetric: fc.constantFrom(PoolMetric.AVERAGE_QUEUE_SIZE, PoolMetric.AVERAGE_RUNNING_REQUESTS, PoolMetric.AVERAGE_KV_CACHE_UTILIZATION,
    PoolMetric.FLOW_CONTROL_QUEUE_SIZE, PoolMetric.FLOW_CONTROL_SATURATION),
  minReplicas: fc.integer({ min: 1, max: 3 }),
  extraReplicas: fc.integer({ min: 0, max: 5 }),
  countTarget: fc.integer({ min: 1, max: 100 }),
  fractionTarget: fc.integer({ min: 1, max: 100 }).map((n) => n / 100),
  address: fc.option(fc.constantFrom('http://vm.metrics.svc:8428', 'https://thanos-query.obs.svc:10902'), { nil: undefined }),
  stack: fc.constantFrom('profile', 'platform'),
  tenant: fc.boolean(),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const FRACTIONS: string[] = [ServerMetric.KV_CACHE_USAGE, PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, PoolMetric.FLOW_CONTROL_SATURATION];

function autoscalingOf(c: Case, minReplicas: number): ServingAutoscaling {
  const maxReplicas = Math.max(minReplicas, 1) + c.extraReplicas;
  const target = (metric: string) => (FRACTIONS.includes(metric) ? c.fractionTarget : c.countTarget);
  switch (c.scaler) {
    case 'keda':
      return ServingAutoscaling.keda({
        minReplicas, maxReplicas, metric: c.serverMetric, target: target(c.serverMetric), prometheusAddress: c.address,
      });
    case 'kedaPool':
      return ServingAutoscaling.kedaPool({
        minReplicas, maxReplicas, metric: c.poolMetric, target: target(c.poolMetric), prometheusAddress: c.address,
      });
    default:
      return ServingAutoscaling.externalPoolMetric({ minReplicas, maxReplicas, metric: c.poolMetric, target: target(c.poolMetric) });
  }
}

function volumeOf(c: Case, pool: GpuNodePool): SharedModelVolume {
  const size = Size.gibibytes(c.sizeGi);
  switch (c.volume) {
    case 'rwx': return SharedModelVolume.newClaim({ size, storageClassName: 'filestore-rwx' });
    case 'rwo': return SharedModelVolume.newClaim({ size, accessMode: ModelVolumeAccessMode.READ_WRITE_ONCE });
    case 'existing': return SharedModelVolume.existingClaim('team-models');
    default: return SharedModelVolume.nodeLocal({ nodePool: pool, nodePath: '/mnt/nvme/models', size, allowLocalPersistentVolume: true });
  }
}

function build(c: Case, version = KubernetesVersion.V1_34, minReplicas = c.minReplicas): any[] {
  const app = Testing.app();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: version, addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  const platform = new Chart(app, 'platform', { disableResourceNameHashes: true });
  if (c.stack === 'platform') new PlatformObservability(platform, 'obs', { stack: MonitoringStack.kubePrometheus('observability') });
  const chart = new Chart(app, 'serving', { disableResourceNameHashes: true, namespace: c.tenant ? undefined : 'serving' });
  const pool = new GpuNodePool(platform, 'h100', { gpu: H100, gpusPerNode: 8, maxNodes: 4 });
  const scope = c.tenant
    ? new AiTenant(chart, 'serving', {
      team: 'serving',
      owner: 'bob',
      costCenter: 'cc-1',
      gpuQuota: [{ pool, gpus: 32 }],
      modelDownloads: { cidrs: ['0.0.0.0/0'], excludedCidrs: ['10.0.0.0/8'] },
      apiServer: { cidrs: ['10.0.0.10/32'], port: 443 },
    })
    : chart;
  const pooled = c.scaler !== 'keda';
  const flowControl = pooled
    && (c.poolMetric === PoolMetric.FLOW_CONTROL_QUEUE_SIZE || c.poolMetric === PoolMetric.FLOW_CONTROL_SATURATION || minReplicas === 0);
  new InferenceService(scope, 'llm', {
    model: ModelSource.storageUri(c.uri, { credentialsSecret: c.credentials ? 'model-credentials' : undefined, sharedVolume: volumeOf(c, pool) }),
    gpus: GpuRequest.of(1, { model: H100 }),
    nodePool: pool,
    route: pooled ? { gateway: 'inference-gateway' } : undefined,
    endpointPicker: flowControl ? { flowControl: { enabled: true } } : undefined,
    autoscaling: autoscalingOf(c, minReplicas),
  });
  app.synth();
  const objects = app.charts.flatMap((ch) => ch.toJson());
  checkInvariants(c, objects);
  const asPods = objects.filter((o) => POD_KINDS.includes(o.kind)).map((o) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      labels: o.spec.template.metadata?.labels,
      name: `${o.metadata.name}-${o.kind.toLowerCase()}-pod`,
      namespace: o.metadata.namespace,
    },
    spec: o.spec.template.spec,
  }));
  return [...validatable(objects), ...asPods];
}

function checkInvariants(c: Case, objects: any[]): void {
  const fail = (what: string) => { throw new Error(`invariant broken: ${what}`); };
  const server = objects.find((o) => o.kind === 'Deployment' && o.spec.template.metadata.labels['app.kubernetes.io/component'] === 'model-server');
  if (!server) fail('no model-server Deployment');
  const spec = server.spec.template.spec;
  const model = spec.volumes.find((v: any) => v.name === 'model');
  if (!model?.persistentVolumeClaim?.readOnly) fail(`the servers mount the model ${JSON.stringify(model)}, not a read-only claim`);
  if (!(spec.initContainers ?? []).some((k: any) => k.name === 'model-wait')) fail('the servers do not wait for the marker');
  for (const o of objects.filter((x) => POD_KINDS.includes(x.kind))) {
    if ((o.spec.template.spec.volumes ?? []).some((v: any) => v.hostPath)) fail(`${o.kind} ${o.metadata.name} mounts a hostPath`);
  }
  const pv = objects.find((o) => o.kind === 'PersistentVolume');
  const ds = objects.find((o) => o.kind === 'DaemonSet');
  if ((c.volume === 'node-local') !== (pv !== undefined && ds !== undefined)) fail(`volume ${c.volume}: PersistentVolume ${!!pv}, DaemonSet ${!!ds}`);
  if (pv) {
    const dsTerms = ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    if (JSON.stringify(pv.spec.nodeAffinity.required.nodeSelectorTerms) !== JSON.stringify(dsTerms)) fail('the PersistentVolume and the DaemonSet place differently');
    const claim = objects.find((o) => o.kind === 'PersistentVolumeClaim');
    if (claim.spec.volumeName !== pv.metadata.name || pv.spec.claimRef.name !== claim.metadata.name
      || pv.spec.claimRef.namespace !== claim.metadata.namespace) fail('the PersistentVolume and its claim are not pre-bound to each other');
  }
  if (c.volume !== 'node-local' && objects.filter((o) => o.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'] === 'model-download').length !== 1) {
    fail('no single download Job');
  }
  const scaled = objects.find((o) => o.kind === 'ScaledObject');
  if (scaled) {
    const want = c.address ?? `http://prometheus-operated.${c.stack === 'platform' ? 'observability' : 'monitoring'}.svc:9090`;
    if (scaled.spec.triggers.some((t: any) => t.metadata.serverAddress !== want)) fail(`KEDA queries ${JSON.stringify(scaled.spec.triggers)}, not ${want}`);
  }
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
  if (c.scaler === 'external') {
    const [metric] = hpa.spec.metrics;
    const selector = metric.external.metric.selector.matchLabels;
    const pool = objects.find((o) => o.kind === 'InferencePool').metadata.name;
    if (metric.type !== 'External' || !Object.values(selector).includes(pool)) fail(`HPA metric ${JSON.stringify(metric)} does not select the pool ${pool}`);
  } else if (hpa) {
    fail('a KEDA service has an HPA of its own');
  }
}

describe('fast-check: generated model volumes and autoscalers on the real apiserver', () => {
  beforeAll(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  test('150 generated services on 1.34', async () => {
    const report = await checkProperty(caseArb, (c) => build(c), { numRuns: 150 });
    console.log(`[model-scaling properties] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(150);
    expect(report.objects).toBeGreaterThanOrEqual(150 * 8);
  }, APISERVER_TIMEOUT);

  test('50 HPAs scaling to zero on 1.37 (HPAScaleToZero on)', async () => {
    const zeroArb = caseArb.map((c) => ({
      ...c,
      scaler: 'external' as const,
      poolMetric: c.poolMetric === PoolMetric.AVERAGE_KV_CACHE_UTILIZATION
      || c.poolMetric === PoolMetric.FLOW_CONTROL_SATURATION ? PoolMetric.AVERAGE_QUEUE_SIZE : c.poolMetric,
    }));
    const report = await checkProperty(zeroArb, (c) => {
      const objects = build(c, KubernetesVersion.V1_37, 0);
      const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
      if (hpa.spec.minReplicas !== 0) throw new Error('invariant broken: minReplicas is not 0');
      return objects;
    }, { numRuns: 50, environment: 'latest' });
    console.log(`[model-scaling properties, scale to zero] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(50);
  }, APISERVER_TIMEOUT);
});
