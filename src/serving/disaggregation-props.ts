import { MultiNodeProps, ParallelismProps } from './parallelism-props';
import { ServingResources } from './serving-props';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest } from '../accelerators/gpu-request';

/**
 * The prefill workload of a disaggregated service: its own replicas, GPUs and parallelism (the shape of KServe
 * LLMInferenceService `spec.prefill`, which takes replicas, parallelism and the pod's resources apart from the
 * decode workload's).
 */
export interface PrefillProps {
  /**
   * Prefill replicas (LeaderWorkerSet groups when a replica spans pods).
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * The accelerators each prefill pod gets.
   *
   * @default - the service's `gpus`
   */
  readonly gpus?: GpuRequest;

  /**
   * How a prefill replica's GPUs are split between tensor, pipeline and data parallel ranks (and its experts, for a MoE model).
   *
   * @default - tensor parallel over the GPUs of one prefill pod
   */
  readonly parallelism?: ParallelismProps;

  /**
   * Serve each prefill replica from several pods (a LeaderWorkerSet group) when its parallelism needs more GPUs than
   * one pod gets.
   *
   * @default - one pod per prefill replica
   */
  readonly multiNode?: MultiNodeProps;

  /**
   * The GPU node pool to place the prefill pods on.
   *
   * @default - the service's `nodePool`
   */
  readonly nodePool?: GpuNodePool;

  /**
   * CPU, memory and ephemeral storage of the prefill server container.
   *
   * @default - the service's `resources`
   */
  readonly resources?: ServingResources;
}

/**
 * Prefill/decode disaggregation: prompts are prefilled on separate pods and their KV cache moved to the decode pods
 * (vLLM's NIXL connector). The service's own workload becomes the decode workload; the endpoint picker picks a decode
 * pod for every request and, when its decider says so, a prefill pod, and the llm-d routing sidecar in each decode
 * pod sends the prompt there first.
 */
export interface DisaggregationProps {
  /**
   * The prefill workload.
   */
  readonly prefill: PrefillProps;

  /**
   * The llm-d routing sidecar of the decode pods (a mirror, or pinned by digest).
   *
   * @default 'ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.10.0'
   */
  readonly routingSidecarImage?: string;
}
