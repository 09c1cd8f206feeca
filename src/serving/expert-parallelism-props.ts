import { NicRequest } from '../accelerators/nic-request';

/*
 * Wide expert parallelism (wide-EP) for mixture-of-experts models: the experts of every MoE layer are spread over
 * all ranks of a replica (EP size = tensor x data, vLLM v0.25.1 docs/serving/expert_parallel_deployment.md), the
 * attention layers run data parallel, and the ranks exchange tokens through an all-to-all backend. A multi-node
 * replica is a LeaderWorkerSet group, as llm-d v0.9.0 guides/wide-ep-lws runs DeepSeek-R1 (the release whose guides
 * pin the llm-d-router v0.10.0 routing sidecar and endpoint picker).
 */

/**
 * How the ranks of an expert-parallel replica exchange tokens between MoE layers (vLLM `--all2all-backend`).
 */
export enum AllToAllBackend {
  /** All-gather then reduce-scatter (vLLM's default): any EP and DP configuration, no extra kernels. */
  ALLGATHER_REDUCESCATTER = 'allgather_reducescatter',
  /** DeepEP's high-throughput kernels over NVSHMEM: for prefill (llm-d's wide-EP prefill workers use them). */
  DEEPEP_HIGH_THROUGHPUT = 'deepep_high_throughput',
  /** DeepEP's low-latency kernels over NVSHMEM, CUDA-graph friendly: for decode (llm-d's wide-EP decode workers). */
  DEEPEP_LOW_LATENCY = 'deepep_low_latency',
  /** FlashInfer's one-sided all-to-all over multi-node NVLink (MNNVL systems such as GB200 NVL72). */
  FLASHINFER_NVLINK_ONE_SIDED = 'flashinfer_nvlink_one_sided',
  /** FlashInfer's two-sided all-to-all over multi-node NVLink. */
  FLASHINFER_NVLINK_TWO_SIDED = 'flashinfer_nvlink_two_sided',
}

/**
 * Expert parallelism of a mixture-of-experts model: the experts are split over tensor x data ranks.
 *
 * Setting it (even to `{}`) turns expert parallelism on (vLLM `--enable-expert-parallel`).
 */
export interface ExpertParallelismProps {
  /**
   * How the ranks exchange tokens between MoE layers (vLLM `--all2all-backend`).
   *
   * @default - DeepEP high-throughput in prefill pods, DeepEP low-latency in decode pods and in a replica that spans
   * pods (llm-d v0.9.0 guides/wide-ep-lws; vLLM v0.25.1's multi-node example), else all-gather/reduce-scatter
   */
  readonly allToAll?: AllToAllBackend;

  /**
   * Rebalance the experts over the ranks from their observed load (vLLM's expert-parallel load balancer, `--enable-eplb`).
   *
   * @default false
   */
  readonly loadBalancing?: boolean;

  /**
   * Extra copies of the busiest experts the load balancer keeps (`--eplb-config` `num_redundant_experts`).
   *
   * Each costs GPU memory on every rank (about 2.4 GB per redundant expert per rank for DeepSeek-V3, vLLM's
   * docs); vLLM recommends 32 at large scale. Needs `loadBalancing`.
   *
   * @default 0
   */
  readonly redundantExperts?: number;

  /**
   * RDMA NICs each pod gets from a DRA network driver for the all-to-all between pods (DeepEP runs NVSHMEM over
   * InfiniBand/RoCE with IBGDA).
   *
   * @default - none beyond what the nodes give pods by themselves
   */
  readonly nicsPerPod?: NicRequest;
}
