import { isDeepEp } from '../expert-parallelism';
import { AllToAllBackend } from '../expert-parallelism-props';
import { DisaggregationRole, flags, LaunchContext } from '../server-engine';

/*
 * vLLM's expert parallelism (vLLM v0.25.1 vllm/config/parallel.py ParallelConfig: enable_expert_parallel,
 * all2all_backend, enable_eplb, eplb_config; flags registered in vllm/engine/arg_utils.py), laid out as llm-d v0.9.0
 * guides/wide-ep-lws runs it (modelserver/gpu/vllm-deepseek-r1-0528/base/disaggregatedset.yaml, prefill and decode
 * LeaderWorkerSets of 2 pods x 8 GPUs, DP 16 each). v0.9.0 is the llm-d release whose guides pin the llm-d-router
 * v0.10.0 images (routing sidecar, endpoint picker) and vLLM v0.26.0; the file was read at commit c6b39838 of the
 * public code index (the local llm-d mirror stops in 2025-06), whose sidecar flags (`--kv-connector`,
 * `--data-parallel-size`, `--enable-prefiller-sampling`) are v0.10.0's. The group's data-parallel wiring (ranks, leader address, RPC
 * port, headless workers) is vllm.ts's; the multi-node form is vLLM's own "Multi-Node Deployment" (v0.25.1
 * docs/serving/expert_parallel_deployment.md: the first node serves the API, the others run `--headless` from
 * `--data-parallel-start-rank`).
 */

/** Flags this file renders, with their `--no-` and short forms at v0.25.1 (arg_utils.py). */
export const VLLM_EXPERT_FLAGS = [
  '--enable-expert-parallel', '--no-enable-expert-parallel', '-ep', '--all2all-backend', '--enable-eplb', '--no-enable-eplb', '--eplb-config',
];

/**
 * The pod network interface of a Kubernetes pod, which every pod of the group reaches: llm-d's wide-EP pods pin
 * GLOO_SOCKET_IFNAME, NCCL_SOCKET_IFNAME and NVSHMEM_BOOTSTRAP_UID_SOCK_IFNAME to it (disaggregatedset.yaml above);
 * vLLM's EP guide sets GLOO_SOCKET_IFNAME=eth0 on InfiniBand clusters "to prevent initialization hangs".
 */
const POD_INTERFACE = 'eth0';

/**
 * The all-to-all backend of a pod: the user's, else llm-d's per role (prefill `deepep_high_throughput`, decode
 * `deepep_low_latency`, disaggregatedset.yaml above; vLLM's P/D architecture says the same), DeepEP low-latency for a
 * replica that spans pods (vLLM's 2-node example: "For multi-node deployment, use the DeepEP communication kernel"),
 * and vLLM's default `allgather_reducescatter` inside one pod.
 */
export function vllmAllToAll(ctx: LaunchContext): string {
  const chosen = ctx.expert?.allToAll;
  if (chosen !== undefined) return chosen;
  if (ctx.disaggregation === DisaggregationRole.PREFILL) return AllToAllBackend.DEEPEP_HIGH_THROUGHPUT;
  if (ctx.disaggregation === DisaggregationRole.DECODE || ctx.nodes > 1) return AllToAllBackend.DEEPEP_LOW_LATENCY;
  return AllToAllBackend.ALLGATHER_REDUCESCATTER;
}

/** `--enable-expert-parallel`, the backend, and the load balancer (`--enable-eplb`, `--eplb-config` as JSON, v0.25.1 docs). */
export function vllmExpertArgs(ctx: LaunchContext): string[] {
  const e = ctx.expert;
  if (!e) return [];
  return [
    '--enable-expert-parallel',
    ...flags([['--all2all-backend', vllmAllToAll(ctx)]]),
    ...(e.loadBalancing ? ['--enable-eplb'] : []),
    ...flags([['--eplb-config', e.loadBalancing && e.redundantExperts ? JSON.stringify({ num_redundant_experts: e.redundantExperts }) : undefined]]),
  ];
}

/**
 * The environment of an expert-parallel pod, from llm-d's wide-EP pods (disaggregatedset.yaml above):
 * - `VLLM_ENGINE_READY_TIMEOUT_S`: how long the API server waits for its engines (vLLM v0.25.1 vllm/envs.py default
 *   600 s; llm-d's prefill pods set 3000): the service's startup budget, so a large MoE model is not killed by vLLM
 *   before the startup probe would;
 * - across pods: the bootstrap of Gloo and NCCL on the pod network (GLOO_SOCKET_IFNAME, NCCL_SOCKET_IFNAME; the NICs'
 *   NCCL variables replace these when RDMA NICs are attached);
 * - across pods with DeepEP: NVSHMEM over InfiniBand/RoCE with GPU-initiated transfers (NVSHMEM_REMOTE_TRANSPORT=ibgda,
 *   NVSHMEM_IB_ENABLE_IBGDA=true), NVSHMEM's bootstrap on the pod network, and GDRCopy from the NVIDIA container
 *   toolkit (NVIDIA_GDRCOPY=enabled).
 * A variable the user sets (env, secretEnv, server.env) is left to the user.
 */
export function vllmExpertEnv(ctx: LaunchContext, serverEnv: { [name: string]: string }): { [name: string]: string } {
  const e = ctx.expert;
  if (!e) return {};
  const acrossPods = ctx.nodes > 1;
  const env: { [name: string]: string } = { VLLM_ENGINE_READY_TIMEOUT_S: String(e.startupSeconds) };
  if (acrossPods) Object.assign(env, { GLOO_SOCKET_IFNAME: POD_INTERFACE, NCCL_SOCKET_IFNAME: POD_INTERFACE });
  if (acrossPods && isDeepEp(vllmAllToAll(ctx) as AllToAllBackend)) {
    Object.assign(env, {
      NVSHMEM_REMOTE_TRANSPORT: 'ibgda',
      NVSHMEM_IB_ENABLE_IBGDA: 'true',
      NVSHMEM_BOOTSTRAP_UID_SOCK_IFNAME: POD_INTERFACE,
      NVIDIA_GDRCOPY: 'enabled',
    });
  }
  Object.assign(env, e.nicEnv);
  for (const name of [...e.userEnvNames, ...Object.keys(serverEnv)]) delete env[name];
  return env;
}
