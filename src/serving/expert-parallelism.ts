import { IConstruct } from 'constructs';
import { AllToAllBackend, ExpertParallelismProps } from './expert-parallelism-props';
import { NicRequest } from '../accelerators/nic-request';
import { invalidProp, requireInteger, requireOneOf, ValidationError } from '../internal/errors';
import { checkProps, opt } from '../internal/runtime-checks';

/** The all-to-all backends that run DeepEP over NVSHMEM. */
const DEEPEP = [AllToAllBackend.DEEPEP_HIGH_THROUGHPUT, AllToAllBackend.DEEPEP_LOW_LATENCY];

/** Expert parallelism as checked: what the engine renders. */
export interface ResolvedExpertParallelism {
  /** The user's backend; undefined: the engine picks one for the pod's role. */
  readonly allToAll?: AllToAllBackend;
  readonly loadBalancing: boolean;
  readonly redundantExperts?: number;
  readonly nics?: NicRequest;
  /** NCCL variables that come with the NICs (set by placement once they are attached). */
  readonly nicEnv?: Record<string, string>;
}

/** Whether `backend` runs DeepEP (NVSHMEM) kernels. */
export function isDeepEp(backend: AllToAllBackend): boolean {
  return DEEPEP.includes(backend);
}

/**
 * Checks `parallelism.expert` against the rest of the parallelism: EP splits the experts over tensor x data ranks, so
 * one rank has nothing to split; the load-balancer settings go together.
 */
export function resolveExpertParallelism(scope: IConstruct, expert: ExpertParallelismProps | undefined,
  p: { tensor: number; data: number }, engine: { displayName: string; expert: boolean }): ResolvedExpertParallelism | undefined {
  if (expert === undefined || expert === null) return undefined;
  const prop = 'parallelism.expert';
  const e = checkProps(scope, 'ExpertParallelismProps', expert, {
    allToAll: opt('string', 'an AllToAllBackend such as AllToAllBackend.DEEPEP_LOW_LATENCY'),
    loadBalancing: opt('boolean'),
    redundantExperts: opt('number'),
    nicsPerPod: opt(NicRequest, 'a NicRequest such as NicRequest.of(8, { alignWithGpus: true })'),
  }, `${prop}.`);
  if (!engine.expert) {
    throw new ValidationError(scope, prop, `is set but the server is ${engine.displayName}, whose expert parallelism is not wired here; ` +
      'use ModelServer.vllm() (--enable-expert-parallel) or remove parallelism.expert');
  }
  if (p.tensor * p.data < 2) {
    throw invalidProp(scope, prop, expert, 'unset, or tensor x data above 1: expert parallelism splits the experts over the tensor x ' +
      'data ranks (EP size = tensor x data, vLLM v0.25.1 docs/serving/expert_parallel_deployment.md), and this replica has one ' +
      `(tensor ${p.tensor}, data ${p.data}); set parallelism.data to the ranks, e.g. the GPUs of the replica`);
  }
  if (e.allToAll !== undefined) requireOneOf(scope, `${prop}.allToAll`, e.allToAll, Object.values(AllToAllBackend));
  const loadBalancing = e.loadBalancing ?? false;
  if (e.redundantExperts !== undefined) {
    requireInteger(scope, `${prop}.redundantExperts`, e.redundantExperts, 0, 4096);
    if (!loadBalancing && e.redundantExperts > 0) {
      throw new ValidationError(scope, `${prop}.redundantExperts`, `is ${e.redundantExperts} but loadBalancing is off; the redundant experts ` +
        'are the load balancer\'s (vLLM --eplb-config num_redundant_experts needs --enable-eplb): set loadBalancing: true');
    }
  }
  return { allToAll: e.allToAll, loadBalancing, redundantExperts: e.redundantExperts, nics: e.nicsPerPod };
}
