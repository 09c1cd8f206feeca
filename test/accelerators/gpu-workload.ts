// Test-only workload: a Deployment whose pods get GPUs through attachGpus, the way serving and training constructs do.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuAttachment, attachGpus } from '../../src/accelerators/attach';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import * as k8s from '../../src/imports/k8s';
import { selectorLabels, standardLabels } from '../../src/internal/labels';
import { resourceName } from '../../src/internal/names';
import { namespaceOf } from '../../src/internal/namespace';
import { PodSpecBuilder, resolveSecurity } from '../../src/security/pod-spec';

export interface GpuWorkloadProps {
  readonly gpus: GpuRequest;
  readonly replicas?: number;
  readonly pool?: GpuNodePool;
  /** Extra container names; the GPUs go to `gpuContainers` (default: all). */
  readonly sidecars?: string[];
  readonly gpuContainers?: string[];
}

export class GpuWorkload extends Construct {
  public readonly deployment: ApiObject;
  public readonly attachment: GpuAttachment;

  constructor(scope: Construct, id: string, props: GpuWorkloadProps) {
    super(scope, id);
    const name = resourceName(this);
    const identity = { name: 'gpu-workload', instance: name, component: 'worker' };
    const builder = new PodSpecBuilder(this, resolveSecurity(this));
    builder.addContainer({ name: 'main', image: 'registry.example.com/cuda-sample@sha256:' + 'a'.repeat(64), command: ['sleep', 'infinity'] });
    for (const sidecar of props.sidecars ?? []) {
      builder.addContainer({ name: sidecar, image: 'registry.example.com/sidecar@sha256:' + 'b'.repeat(64) });
    }
    const replicas = props.replicas ?? 1;
    this.attachment = attachGpus(this, builder, props.gpus, { pods: replicas, pool: props.pool, containers: props.gpuContainers });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace: namespaceOf(this), labels: standardLabels(identity) },
      spec: {
        replicas,
        selector: { matchLabels: selectorLabels(identity) },
        template: { metadata: { labels: standardLabels(identity) }, spec: builder.build() },
      },
    });
  }
}
