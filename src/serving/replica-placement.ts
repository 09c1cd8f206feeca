import { Construct } from 'constructs';
import { isDeepEp } from './expert-parallelism';
import { InferenceServiceProps } from './inference-service-props';
import { ResolvedParallelism, resolveParallelism } from './parallelism';
import { ServerEngine } from './server-engine';
import { chooseWorkloadShape } from './shapes/choose-shape';
import { SERVER_CONTAINER, WorkloadShape } from './workload-shape';
import { attachGpus, attachNics, GpuAttachment } from '../accelerators/attach';
import { GpuRequest, GpuRequestShape } from '../accelerators/gpu-request';
import { validateGpuCount } from '../accelerators/request-validation';
import { warn } from '../cluster/platform-warnings';
import { ValidationError } from '../internal/errors';
import { PodSpecBuilder } from '../security/pod-spec';

/** What the replicas of a service are placed from. */
export interface PlacementInput {
  /** The InferenceService. */
  readonly scope: Construct;
  /** The server pod's builder: the GPUs are attached to it. */
  readonly builder: PodSpecBuilder;
  readonly engine: ServerEngine;
  readonly props: InferenceServiceProps;
  /** The most replicas the service runs (the GPU request must provide for all their pods). */
  readonly maxReplicas: number;
}

/** The GPUs of each pod, the parallelism of a replica, and the workload shape that runs it. */
export interface ReplicaPlacement {
  readonly attachment?: GpuAttachment;
  readonly parallelism: ResolvedParallelism;
  readonly shape: WorkloadShape;
}

/**
 * Attaches the GPUs, resolves the parallelism they allow and picks the workload shape that parallelism needs; then
 * the RDMA NICs of an expert-parallel replica (`parallelism.expert.nicsPerPod`), which may join the GPU claim.
 */
export function placeReplicas(input: PlacementInput): ReplicaPlacement {
  const placed = placeGpus(input);
  const expert = placed.parallelism.expert;
  if (expert && !expert.nics && placed.parallelism.nodes > 1 && (expert.allToAll === undefined || isDeepEp(expert.allToAll))) {
    warn(input.scope, 'parallelism.expert: DeepEP between the pods of a group runs NVSHMEM over InfiniBand/RoCE (IBGDA), but the pods get no ' +
      'RDMA NICs from this service; set parallelism.expert.nicsPerPod (a DRA network driver such as DRANET), or make sure the nodes ' +
      'give pods their RDMA devices by other means');
  }
  if (!expert?.nics) return placed;
  const { env } = attachNics(input.scope, input.builder, expert.nics, {
    containers: [SERVER_CONTAINER], prop: 'parallelism.expert.nicsPerPod', gpus: input.props.gpus,
  });
  return { ...placed, parallelism: { ...placed.parallelism, expert: { ...expert, nicEnv: env } } };
}

function placeGpus(input: PlacementInput): ReplicaPlacement {
  const { scope, builder, props } = input;
  const request = props.gpus;
  const resolve = (devicesPerPod: number, gpus: GpuRequest | undefined) => resolveParallelism({
    scope,
    engine: input.engine,
    parallelism: props.parallelism,
    multiNode: !!props.multiNode,
    devicesPerPod,
    request: gpus,
  });
  const attach = (gpus: GpuRequest, pods: number) => attachGpus(scope, builder, gpus, { pods, containers: [SERVER_CONTAINER], pool: props.nodePool });
  if (request && request.shape !== GpuRequestShape.ALL_ON_NODE) {
    validateGpuCount(scope, 'gpus', request);
    const parallelism = resolve(request.count, request);
    const shape = chooseWorkloadShape(parallelism, props.multiNode);
    return { attachment: attach(request, shape.podCount(input.maxReplicas)), parallelism, shape };
  }
  if (request) {
    // allOnNode only knows its GPU count once placed, and serves each replica from one pod.
    const attachment = attach(request, Math.max(1, input.maxReplicas));
    const parallelism = resolve(attachment.devicesPerPod, request);
    if (parallelism.nodes > 1) {
      throw new ValidationError(scope, 'parallelism', 'GpuRequest.allOnNode() serves each replica from one node; use GpuRequest.of(n) for multi-node replicas');
    }
    return { attachment, parallelism, shape: chooseWorkloadShape(parallelism, props.multiNode) };
  }
  if (props.nodePool) throw new ValidationError(scope, 'nodePool', 'is set but gpus is not; a GPU node pool places pods that request GPUs');
  const parallelism = resolve(0, undefined);
  return { parallelism, shape: chooseWorkloadShape(parallelism, props.multiNode) };
}
