/**
 * A sample of generated apps for the scanners: fast-check draws construct props from their whole valid range, with
 * a fixed seed so that a run is reproducible (set CDK8S_AI_SCANNERS_SEED to draw another sample; the seed is in
 * test-reports/scanners.json).
 *
 * Each generator builds one app from the constructs in src/ (imported from their own files). Props are drawn from
 * their valid range, except explicit security opt-outs (a user who turns off the read-only root filesystem gets the
 * scanner finding they asked for); images a user must give are pinned by digest as users are told to, and the
 * library's own default images are scanned as they are.
 *
 * Where a construct engineer exposes fixtures or fast-check arbitraries (test/serving/fixtures.ts: every server
 * engine and routing shape), the generator draws from them; add a generator here for every new construct.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { KubeObject, parseYamlObjects } from './scanners';
import { ComputeDomain } from '../../src/accelerators/compute-domain';
import { GpuDeviceClass } from '../../src/accelerators/gpu-device-class';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import type { INodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner-base';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import * as k8s from '../../src/imports/k8s';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { TenantAccess } from '../../src/platform/tenant-access';
import { ImageSigningPolicy } from '../../src/security/image-signing-policy';
import { SigningAuthority } from '../../src/security/signing-authority';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { ROUTINGS, SERVERS } from '../serving/fixtures';

export const SAMPLE_SEED = Number(process.env.CDK8S_AI_SCANNERS_SEED ?? 20261123);
/** Apps drawn per generator (CDK8S_AI_SCANNERS_APPS). Each app costs one run of each scanner (about 3 s, mostly
 * checkov's start-up). */
const APPS_PER_GENERATOR = Number(process.env.CDK8S_AI_SCANNERS_APPS ?? 4);

export interface SampleApp {
  readonly label: string;
  readonly objects: () => KubeObject[];
}

/** An app: a ClusterProfile at the root, one namespaced chart, and what `build` adds to it. */
interface AppShape {
  readonly version: KubernetesVersion;
  readonly allocation: GpuAllocation;
  readonly addons?: ClusterAddon[];
  readonly build: (chart: Chart) => void;
}

function synth(shape: AppShape): KubeObject[] {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: shape.version, gpuAllocation: shape.allocation, addons: shape.addons });
  const chart = new Chart(app, 'apps', { namespace: 'ai-apps', disableResourceNameHashes: true });
  shape.build(chart);
  // synthYaml runs every construct's validation and writes what `cdk8s synth` writes.
  return parseYamlObjects(app.synthYaml(), 'generated app');
}

const versions = fc.constantFrom(KubernetesVersion.V1_34, KubernetesVersion.V1_35, KubernetesVersion.V1_36, KubernetesVersion.V1_37);
const nvidiaModels = fc.constantFrom(...GpuModel.all().filter((m) => m.vendor.name === GpuModel.NVIDIA_H100_80_GB.vendor.name));
/** A user's image as the docs tell users to give it: pinned by digest. */
const TRAINER_IMAGE = 'ghcr.io/example/trainer@sha256:' + 'c'.repeat(64);
interface ProvisionerChoice {
  readonly addons?: ClusterAddon[];
  readonly make: () => INodeProvisioner;
}
const provisioners: fc.Arbitrary<ProvisionerChoice> = fc.oneof(
  fc.constant({ make: () => NodeProvisioner.existingNodes() }),
  fc.subarray(['p5.48xlarge', 'p4d.24xlarge', 'g6.12xlarge'], { minLength: 1 }).map((instanceTypes) => ({
    addons: [...ClusterAddon.defaults(), ClusterAddon.KARPENTER],
    make: () => NodeProvisioner.karpenter({ nodeClass: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' }, instanceTypes }),
  })),
);

/** GPU node pools, their DeviceClasses and a ComputeDomain: the cluster-side objects. */
const gpuPlatform: fc.Arbitrary<AppShape> = fc.record({
  version: versions,
  model: nvidiaModels,
  gpusPerNode: fc.constantFrom(1, 4, 8),
  maxNodes: fc.integer({ min: 1, max: 16 }),
  provisioner: provisioners,
  deviceClass: fc.boolean(),
  computeDomain: fc.boolean(),
}).map((p) => ({
  version: p.version,
  allocation: GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
  addons: p.provisioner.addons,
  build: (chart: Chart) => {
    new GpuNodePool(chart, 'Pool', { gpu: p.model, gpusPerNode: p.gpusPerNode, maxNodes: p.maxNodes, provisioner: p.provisioner.make(), deviceClass: p.deviceClass });
    new GpuDeviceClass(chart, 'AnyGpu', { model: p.model });
    if (p.computeDomain) new ComputeDomain(chart, 'Domain');
  },
}));

/** A team's tenant (namespace, quota, RBAC, network policy, queue) with a gang-scheduled training job inside. */
const tenantTraining: fc.Arbitrary<AppShape> = fc.record({
  version: versions,
  model: nvidiaModels,
  access: fc.constantFrom(TenantAccess.VIEW, TenantAccess.SUBMIT_JOBS),
  groups: fc.boolean(),
  egress: fc.boolean(),
  backend: fc.constantFrom('jobSet', 'kubeflowTrainer'),
  scheduler: fc.constantFrom('kueue', 'podGroup'),
  workers: fc.integer({ min: 1, max: 4 }),
  gpusPerWorker: fc.constantFrom(1, 2, 8),
  cpuPerWorker: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  memoryGiPerWorker: fc.option(fc.integer({ min: 16, max: 512 }), { nil: undefined }),
  ttlHours: fc.option(fc.integer({ min: 1, max: 168 }), { nil: undefined }),
}).map((p) => ({
  version: p.version,
  allocation: GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
  addons: [...ClusterAddon.defaults(), ClusterAddon.SCHEDULER_PLUGINS, ClusterAddon.KUBEFLOW_TRAINER],
  build: (chart: Chart) => {
    const pool = new GpuNodePool(chart, 'Pool', { gpu: p.model, gpusPerNode: 8, maxNodes: 4 });
    const tenant = new AiTenant(chart, 'research', {
      team: 'research',
      owner: 'alice',
      costCenter: 'cc-100',
      access: p.access,
      groups: p.groups ? ['ml-devs'] : undefined,
      egress: p.egress ? [{ name: 'model-hub', cidr: '203.0.113.0/24', ports: [443] }] : undefined,
      gpuQuota: [{ pool, gpus: 32 }],
    });
    new GangTrainingJob(tenant, 'finetune', {
      image: TRAINER_IMAGE,
      command: ['train.py'],
      workers: p.workers,
      gpusPerWorker: GpuRequest.of(p.gpusPerWorker),
      nodePool: pool,
      backend: p.backend === 'jobSet' ? TrainingBackend.jobSet() : TrainingBackend.kubeflowTrainer(),
      scheduler: p.scheduler === 'kueue' ? GangScheduler.kueue({ queue: tenant.queueName }) : GangScheduler.podGroup(),
      cpuPerWorker: p.cpuPerWorker,
      memoryPerWorker: p.memoryGiPerWorker === undefined ? undefined : Size.gibibytes(p.memoryGiPerWorker),
      // Kubeflow Trainer has no TTL (the construct refuses one).
      ttlAfterFinished: p.ttlHours === undefined || p.backend !== 'jobSet' ? undefined : Duration.hours(p.ttlHours),
    });
  },
}));

/** The platform's monitoring: recording and alerting rules, dashboards. */
const observability: fc.Arbitrary<AppShape> = fc.record({
  version: versions,
  prices: fc.boolean(),
  runbooks: fc.boolean(),
}).map((p) => ({
  version: p.version,
  allocation: GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
  build: (chart: Chart) => {
    new PlatformObservability(chart, 'Observability', {
      gpuPrices: p.prices ? [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 2.5 }] : undefined,
      runbookBaseUrl: p.runbooks ? 'https://runbooks.example.com/gpu' : undefined,
    });
  },
}));

/**
 * Where the drawn services run: in a tenant (default-deny, the tenant's allows) or in a plain namespace of the
 * user's (the services isolate themselves). Both opt into sigstore policy-controller, as the docs tell users who run
 * the library's default images (which are tags: the controller resolves them to the digests it verified at
 * admission); the digest rule for everything else is exercised by the training apps.
 */
const SERVING_PLACEMENTS = ['tenant', 'plain namespace'] as const;

/** A signing policy covering the registries of the library's default images, as a platform team would write it. */
function defaultImageSigning(chart: Chart): ImageSigningPolicy {
  return new ImageSigningPolicy(chart, 'Signed', {
    images: ['index.docker.io/**', 'ghcr.io/**', 'nvcr.io/**'],
    authorities: [SigningAuthority.keyless({ issuer: 'https://token.actions.githubusercontent.com', subjectRegex: '^https://github.com/.+$' })],
  });
}

/**
 * Model servers behind inference routes, drawn from the serving engineer's fixtures (every server engine, every
 * routing shape, the library's default images), inside a tenant or in a plain namespace.
 */
const serving: fc.Arbitrary<AppShape> = fc.record({
  version: versions,
  server: fc.constantFrom(...Object.keys(SERVERS)),
  routing: fc.constantFrom(...Object.keys(ROUTINGS)),
  placement: fc.constantFrom(...SERVING_PLACEMENTS),
}).map((p) => ({
  version: p.version,
  allocation: GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
  addons: [...ClusterAddon.defaults(), ClusterAddon.SIGSTORE_POLICY_CONTROLLER],
  build: (chart: Chart) => {
    const pool = () => new GpuNodePool(chart, 'Pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
    const signing = defaultImageSigning(chart);
    let scope: Chart;
    if (p.placement === 'tenant') {
      // The fixtures take a Chart but only use it as the construct scope; a tenant scope puts the services in it.
      // The endpoint pickers reach the API server, the model servers the Hugging Face Hub (the internet on HTTPS,
      // private ranges excluded); each only from the pods that need it.
      scope = new AiTenant(chart, 'serving', {
        team: 'serving',
        owner: 'bob',
        costCenter: 'cc-200',
        gpuQuota: [{ pool: pool(), gpus: 32 }],
        imageSigning: [signing],
        apiServer: { cidrs: ['10.0.0.10/32', '10.0.0.11/32'], port: 6443 },
        modelDownloads: { cidrs: ['0.0.0.0/0'], excludedCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
      }) as unknown as Chart;
    } else {
      // The user's own namespace, opted into the policy-controller (the chart's namespace, `ai-apps`).
      new k8s.KubeNamespace(chart, 'Namespace', {
        metadata: { name: chart.namespace!, labels: { [ImageSigningPolicy.NAMESPACE_LABEL]: 'true', 'pod-security.kubernetes.io/enforce': 'restricted' } },
      });
      scope = chart;
    }
    ROUTINGS[p.routing](scope, SERVERS[p.server]);
  },
}));

const GENERATORS: { readonly name: string; readonly arbitrary: fc.Arbitrary<AppShape> }[] = [
  { name: 'gpu-platform', arbitrary: gpuPlatform },
  { name: 'tenant-training', arbitrary: tenantTraining },
  { name: 'observability', arbitrary: observability },
  { name: 'serving', arbitrary: serving },
];

/** The sample: APPS_PER_GENERATOR apps per generator, drawn with SAMPLE_SEED. */
export function sampleApps(): SampleApp[] {
  return GENERATORS.flatMap(({ name, arbitrary }, g) =>
    fc.sample(arbitrary, { seed: SAMPLE_SEED + g, numRuns: APPS_PER_GENERATOR }).map((shape, i) => ({
      label: `${name} #${i + 1}`,
      objects: () => synth(shape),
    })));
}
