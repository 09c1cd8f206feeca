import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { attachGpus } from '../../src/accelerators/attach';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import * as k8s from '../../src/imports/k8s';
import { selectorLabels, standardLabels } from '../../src/internal/labels';
import { claimName, resourceName } from '../../src/internal/names';
import { namespaceOf } from '../../src/internal/namespace';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { PodSpecBuilder, resolveSecurity } from '../../src/security/pod-spec';
import { allowTraffic } from '../../src/security/tenant-network';
import { ServingMetrics } from '../../src/serving/serving-metrics';

/**
 * A minimal GPU model server for tenant tests: a Deployment built with PodSpecBuilder + attachGpus (so it records
 * GPU demand like the real serving constructs), a PDB, monitoring, and the gateway edge through the traffic hook.
 */
export interface GpuServerProps {
  readonly pool?: GpuNodePool;
  readonly gpus: number;
  readonly replicas?: number;
  readonly image?: string;
  readonly pdb?: boolean;
  readonly probe?: boolean;
  readonly monitoring?: boolean;
  readonly gatewayNamespace?: string;
}

export class GpuServer extends Construct {
  public readonly deployment: ApiObject;
  public readonly podLabels: Record<string, string>;
  constructor(scope: Construct, id: string, props: GpuServerProps) {
    super(scope, id);
    const name = resourceName(this);
    const namespace = namespaceOf(this);
    const replicas = props.replicas ?? 1;
    const identity = { name: 'vllm', instance: name, component: 'server' };
    this.podLabels = selectorLabels(identity);
    const builder = new PodSpecBuilder(this, resolveSecurity(this));
    builder.addContainer({
      name: 'server',
      image: props.image ?? 'vllm/vllm-openai@sha256:' + 'a'.repeat(64),
      ports: [{ name: 'http', containerPort: 8000 }],
      resources: { requests: { cpu: k8s.Quantity.fromString('4'), memory: k8s.Quantity.fromString('32Gi') } },
      readinessProbe: props.probe === false ? undefined : { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') } },
    });
    builder.addScratch('tmp', '/tmp');
    if (props.gpus > 0) {
      const request = GpuRequest.of(props.gpus, { model: props.pool?.gpu ?? GpuModel.NVIDIA_H100_80_GB });
      attachGpus(this, builder, request, { pods: replicas, pool: props.pool });
    }
    claimName(this, 'Deployment', namespace, name);
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels: standardLabels(identity) },
      spec: {
        replicas,
        selector: { matchLabels: this.podLabels },
        template: { metadata: { labels: standardLabels(identity) }, spec: builder.build() },
      },
    });
    if (props.pdb ?? replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata: { name, namespace },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podLabels } },
      });
    }
    if (props.monitoring ?? true) {
      new WorkloadMonitoring(this, 'Monitoring', { podLabels: this.podLabels, podNamePrefix: name, metricsPort: 'http', serving: ServingMetrics.vllm('0.11.0') });
    }
    allowTraffic({
      scope: this,
      name: 'gateway',
      description: `inference gateway to ${name}`,
      from: { namespace: props.gatewayNamespace ?? 'gateway' },
      to: { namespace, podLabels: this.podLabels },
      ports: [{ port: 8000 }],
    });
  }
}

export interface PlatformOptions {
  readonly version?: KubernetesVersion;
  readonly devicePlugin?: boolean;
  readonly addons?: ClusterAddon[];
  readonly maxNodes?: number;
  readonly outdir?: string;
}

/** An app with a cluster profile, a chart and an 8-GPU-per-node H100 pool. */
export function platform(options: PlatformOptions = {}): { app: App; chart: Chart; pool: GpuNodePool; profile: ClusterProfile } {
  const app = new App({ outdir: options.outdir ?? '/tmp/cdk8s-ai-tenant-test' });
  const profile = new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: options.version ?? KubernetesVersion.V1_34,
    gpuAllocation: options.devicePlugin ? GpuAllocation.DEVICE_PLUGIN : GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
    addons: options.addons ?? [...ClusterAddon.defaults(), ClusterAddon.SIGSTORE_POLICY_CONTROLLER],
  });
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: options.maxNodes ?? 2 });
  return { app, chart, pool, profile };
}
