/**
 * A pod's GPUs all come from one node: the pool refuses workloads whose pods cannot be packed onto its nodes even when
 * the GPU sum fits (found by the simulated cluster: a 2 x 2-pod LeaderWorkerSet of 3-GPU pods on three 4-GPU nodes
 * synthesized, and its fourth pod never scheduled).
 */
import { App, Chart } from 'cdk8s';
import { GpuModel, GpuNodePool, GpuRequest, InferenceService, ModelServer, ModelSource } from '../../src';

const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'd'.repeat(64);

function synth(nodes: number, gpusPerNode: number, servers: { replicas: number; gpus: number; pipeline?: number }[]): void {
  const app = new App();
  const chart = new Chart(app, 'c', { namespace: 'serving' });
  const pool = new GpuNodePool(chart, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode, maxNodes: nodes });
  servers.forEach((s, i) => new InferenceService(chart, `llm${i}`, {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(s.gpus, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    replicas: s.replicas,
    ...(s.pipeline ? { parallelism: { tensor: s.gpus, pipeline: s.pipeline }, multiNode: {} } : {}),
  }));
  app.synthYaml();
}

describe('GpuNodePool packs pods onto nodes', () => {
  test.each([
    ['4 pods x 3 GPUs (2 LWS replicas of 2 pods) on three 4-GPU nodes', 3, 4, [{ replicas: 2, gpus: 3, pipeline: 2 }]],
    ['5 pods x 3 GPUs on four 4-GPU nodes', 4, 4, [{ replicas: 5, gpus: 3 }]],
    ['2 pods x 5 GPUs and 1 x 5 on two 8-GPU nodes', 2, 8, [{ replicas: 2, gpus: 5 }, { replicas: 1, gpus: 5 }]],
    // spread by the scheduler, the 2-GPU pods take a node each and the second 3-GPU pod finds none
    ['2 pods x 2 GPUs and 2 x 3 on three 4-GPU nodes', 3, 4, [{ replicas: 2, gpus: 2 }, { replicas: 2, gpus: 3 }]],
  ])('refuses %s although the GPU sum fits', (_name, nodes, perNode, servers) => {
    expect(() => synth(nodes, perNode, servers)).toThrow(/\[c\/pool\] maxNodes \(max_nodes\): the pods placed on the pool do not fit its nodes: each pod's GPUs come from one node of \d+, .* spread over \d+ nodes leave \d+ pod\(s\) without a node; raise maxNodes/);
  });

  test.each([
    ['4 pods x 3 GPUs on four 4-GPU nodes', 4, 4, [{ replicas: 2, gpus: 3, pipeline: 2 }]],
    ['4 pods x 2 GPUs on two 4-GPU nodes', 2, 4, [{ replicas: 4, gpus: 2 }]],
    ['1 pod x 5 GPUs and 2 x 3 on two 8-GPU nodes', 2, 8, [{ replicas: 1, gpus: 5 }, { replicas: 2, gpus: 3 }]],
    ['3 pods x 1 GPU and 4 x 4 on four 8-GPU nodes (the example)', 4, 8, [{ replicas: 3, gpus: 1 }, { replicas: 4, gpus: 4 }]],
  ])('accepts %s', (_name, nodes, perNode, servers) => {
    expect(() => synth(nodes, perNode, servers)).not.toThrow();
  });
});
