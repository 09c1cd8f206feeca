import { Construct } from 'constructs';
import { resolveExpertParallelism, ResolvedExpertParallelism } from './expert-parallelism';
import { ParallelismProps } from './parallelism-props';
import { ReplicaParallelism, ServerEngine } from './server-engine';
import { GpuRequest, GpuRequestShape } from '../accelerators/gpu-request';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';

/** The parallelism of one replica, and the GPUs each of its pods gets. */
export interface ResolvedParallelism extends ReplicaParallelism {
  readonly devicesPerPod: number;
  /** Expert parallelism, when `parallelism.expert` is set. */
  readonly expert?: ResolvedExpertParallelism;
}

/** What the parallelism of a service is resolved from. */
export interface ParallelismInput {
  /** The service (errors name its path). */
  readonly scope: Construct;
  readonly engine: ServerEngine;
  readonly parallelism?: ParallelismProps;
  /** Whether the `multiNode` prop is set (it allows a replica to span pods). */
  readonly multiNode: boolean;
  /** GPUs each pod gets (0 without GPUs). */
  readonly devicesPerPod: number;
  readonly request?: GpuRequest;
}

/**
 * Checks the parallelism against the engine and the GPUs each pod gets, and works out the pods per replica: tensor x
 * pipeline x data ranks = GPUs per pod x pods per replica.
 */
export function resolveParallelism(input: ParallelismInput): ResolvedParallelism {
  const { scope, engine, devicesPerPod, request } = input;
  const p = input.parallelism ?? {};
  const tensor = requireInteger(scope, 'parallelism.tensor', p.tensor ?? Math.max(1, devicesPerPod), 1, 1024);
  const pipeline = requireInteger(scope, 'parallelism.pipeline', p.pipeline ?? 1, 1, 256);
  const data = requireInteger(scope, 'parallelism.data', p.data ?? 1, 1, 1024);
  const world = tensor * pipeline * data;
  const caps = engine.parallelism;
  const name = engine.displayName;
  if (tensor > 1 && !caps.tensor) throw invalidProp(scope, 'parallelism.tensor', tensor, `1: ${name} has no tensor parallelism here`);
  if (pipeline > 1 && !caps.pipeline) throw invalidProp(scope, 'parallelism.pipeline', pipeline, `1: ${name} has no pipeline parallelism`);
  if (data > 1 && !caps.data) throw invalidProp(scope, 'parallelism.data', data, `1: ${name} has no data parallelism`);
  const expert = resolveExpertParallelism(scope, p.expert, { tensor, data }, { displayName: name, expert: caps.expert ?? false });
  if (devicesPerPod === 0) {
    if (world > 1) throw invalidProp(scope, 'parallelism', { tensor, pipeline, data }, 'a single rank: the service requests no GPUs');
    return { tensor, pipeline, data, nodes: 1, devicesPerPod };
  }
  if (request?.shape === GpuRequestShape.MIG && world > 1) {
    throw invalidProp(scope, 'parallelism', { tensor, pipeline, data }, 'a single rank: NCCL cannot span MIG devices');
  }
  const explain = `tensor ${tensor} x pipeline ${pipeline} x data ${data} = ${world} GPU(s) per replica`;
  if (world < devicesPerPod) {
    throw new ValidationError(scope, 'parallelism', `${explain}, but each pod gets ${devicesPerPod} (gpus): ` +
      `${devicesPerPod - world} would sit idle; request ${world} GPU(s) per pod or raise the parallelism`);
  }
  if (world % devicesPerPod !== 0) {
    throw new ValidationError(scope, 'parallelism', `${explain} is not a multiple of the ${devicesPerPod} GPU(s) each pod gets (gpus)`);
  }
  const nodes = world / devicesPerPod;
  if (nodes > 1) {
    if (!input.multiNode) {
      throw new ValidationError(scope, 'parallelism', `${explain}, but each pod gets only ${devicesPerPod} (gpus); request ${world} GPU(s) ` +
        `per pod, or set multiNode to serve each replica from ${nodes} pods (LeaderWorkerSet)`);
    }
    if (!caps.multiNode) throw new ValidationError(scope, 'multiNode', `${name} cannot serve one replica from several pods; use vLLM or SGLang`);
    const problem = engine.multiNodeProblem?.({ tensor, pipeline, data, nodes });
    if (problem) throw new ValidationError(scope, 'parallelism', `${explain} over ${nodes} pods of ${devicesPerPod} GPU(s): ${problem}`);
  }
  return { tensor, pipeline, data, nodes, devicesPerPod, expert };
}
