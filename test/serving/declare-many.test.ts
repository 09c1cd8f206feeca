/**
 * `InferenceService.declareMany` (issue 22): many services in one call, each exactly as
 * `new InferenceService(scope, id, props)`, so a fleet from Python or Go crosses to the runtime once per batch. The
 * same bytes as the constructor called one by one; the same errors, naming each service's path; the batch's own
 * mistakes (not an array, an empty or duplicate id) refused before anything is created.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { AiApp } from '../../src/cluster/ai-app';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceDeclaration, InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { badInputCatalogue } from '../harness';

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf-token' });
const QWEN = ModelSource.huggingFace('Qwen/Qwen3-8B');

/** A varied batch: routed and not, GPUs on a pool, SGLang, replicas, env. */
function declarations(pool: GpuNodePool): InferenceServiceDeclaration[] {
  const gpus = GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB });
  return [
    { id: 'llama', props: { model: HF, gpus, nodePool: pool, route: { gateway: 'gateways/inference-gateway' } } },
    { id: 'qwen', props: { model: QWEN, server: ModelServer.sglang(), gpus, replicas: 2 } },
    { id: 'cpu', props: { model: QWEN, env: { LOG_LEVEL: 'debug' }, servedModelName: 'qwen-cpu' } },
    { id: 'llama-2', props: { model: HF, gpus: GpuRequest.of(2, { model: GpuModel.NVIDIA_H100_80_GB }), nodePool: pool } },
  ];
}

function build(declare: (scope: Construct, ds: InferenceServiceDeclaration[]) => InferenceService[]) {
  const app = new AiApp();
  const chart = new Chart(app, 'fleet', { namespace: 'serving', disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  const services = declare(chart, declarations(pool));
  return { app, chart, services };
}

const oneByOne = (scope: Construct, ds: InferenceServiceDeclaration[]) => ds.map((d) => new InferenceService(scope, d.id, d.props));

test('the same bytes as the constructor called one by one, the services in order', () => {
  const byHand = build(oneByOne);
  const batch = build((scope, ds) => InferenceService.declareMany(scope, ds));
  expect(batch.app.synthYaml()).toEqual(byHand.app.synthYaml());
  expect(batch.services.map((s) => s.node.path)).toEqual(['fleet/llama', 'fleet/qwen', 'fleet/cpu', 'fleet/llama-2']);
  expect(batch.services.every((s) => s.node.scope === batch.chart)).toBe(true);
  expect(batch.services.map((s) => s.name)).toEqual(byHand.services.map((s) => s.name));
});

test('an empty batch creates nothing and returns an empty array', () => {
  const chart = Testing.chart();
  expect(InferenceService.declareMany(chart, [])).toEqual([]);
  expect(chart.node.children).toHaveLength(0);
});

test('a "/" in an id becomes "--", as in the constructor', () => {
  const chart = Testing.chart();
  const [service] = InferenceService.declareMany(chart, [{ id: 'team/llm', props: { model: HF } }]);
  expect(service.node.id).toBe('team--llm');
});

test('a mistake in the batch itself creates nothing', () => {
  const chart = Testing.chart();
  expect(() => InferenceService.declareMany(chart, [
    { id: 'a', props: { model: HF } },
    { id: 'b', props: { model: HF } },
    { id: 'a', props: { model: HF } },
  ])).toThrow(/declarations\[2\]\.id: got "a"; expected an id unique in the batch \(declarations\[0\] has it\)/);
  expect(chart.node.children).toHaveLength(0);
});

test('a bad declaration throws what the constructor throws, after the earlier ones were created in order', () => {
  const bad: InferenceServiceProps = { model: HF, replicas: 0 };
  let constructorError: Error | undefined;
  try {
    new InferenceService(new Chart(new App(), 'c'), 'second', bad);
  } catch (e) {
    constructorError = e as Error;
  }
  const chart = new Chart(new App(), 'c');
  expect(() => InferenceService.declareMany(chart, [{ id: 'first', props: { model: HF } }, { id: 'second', props: bad }]))
    .toThrow(constructorError!.message);
  expect(constructorError!.message).toMatch(/^\[c\/second\] replicas: got 0/);
  expect(chart.node.tryFindChild('first')).toBeInstanceOf(InferenceService);
});

const ok = (id: string) => ({ id, props: { model: HF } });

badInputCatalogue([
  {
    name: 'declareMany without a scope',
    build: () => { InferenceService.declareMany(undefined as any, [ok('llm')]); },
    error: '[InferenceService.declareMany (declare_many)] scope: got undefined; expected a construct such as a Chart or the App (it is required)',
  },
  {
    name: 'declareMany without declarations',
    build: (s) => { InferenceService.declareMany(s, undefined as any); },
    error: '[InferenceService.declareMany (declare_many)] declarations: got undefined; expected an array of InferenceServiceDeclarations ({ id, props }) (it is required)',
  },
  {
    name: 'declareMany with one declaration instead of an array',
    build: (s) => { InferenceService.declareMany(s, ok('llm') as any); },
    error: '[InferenceService.declareMany (declare_many)] declarations: got an object; expected an array of InferenceServiceDeclarations ({ id, props })',
  },
  {
    name: 'a declaration that is not an object',
    build: (s) => { InferenceService.declareMany(s, [ok('llm'), 'qwen' as any]); },
    error: '[bad-input] declarations[1]: got "qwen"; expected an InferenceServiceDeclaration ({ id, props })',
  },
  {
    name: 'a declaration that is null',
    build: (s) => { InferenceService.declareMany(s, [null as any]); },
    error: '[bad-input] declarations[0]: got null; expected an InferenceServiceDeclaration ({ id, props })',
  },
  {
    name: 'an empty id',
    build: (s) => { InferenceService.declareMany(s, [ok('llm'), ok('')]); },
    error: '[bad-input] declarations[1].id: got ""; expected a non-empty string, the construct id of the service',
  },
  {
    name: 'an id that is not a string',
    build: (s) => { InferenceService.declareMany(s, [{ id: 7 as any, props: { model: HF } }]); },
    error: '[bad-input] declarations[0].id: got 7; expected a non-empty string, the construct id of the service',
  },
  {
    name: 'a missing id',
    build: (s) => { InferenceService.declareMany(s, [{ props: { model: HF } } as any]); },
    error: '[bad-input] declarations[0].id: got undefined; expected a non-empty string, the construct id of the service',
  },
  {
    name: 'the same id twice in the batch',
    build: (s) => { InferenceService.declareMany(s, [ok('llm'), ok('qwen'), ok('llm')]); },
    error: '[bad-input/llm] declarations[2].id: got "llm"; expected an id unique in the batch (declarations[0] has it)',
  },
  {
    name: 'two ids that are the same child once "/" becomes "--"',
    build: (s) => { InferenceService.declareMany(s, [ok('team/llm'), ok('team--llm')]); },
    error: '[bad-input/team--llm] declarations[1].id: got "team--llm"; expected an id unique in the batch (declarations[0] has it)',
  },
  {
    name: 'an id the scope already has',
    build: (s) => { new InferenceService(s, 'llm', { model: HF }); InferenceService.declareMany(s, [ok('qwen'), ok('llm')]); },
    error: '[bad-input/llm] declarations[1].id: got "llm"; expected an id free in bad-input (it already has a child "llm")',
  },
  {
    name: 'a declaration without props',
    build: (s) => { InferenceService.declareMany(s, [ok('llm'), { id: 'qwen' } as any]); },
    error: '[bad-input/qwen] props: got undefined; expected a InferenceServiceProps object with model',
  },
  {
    name: 'a declaration with bad props names its path',
    build: (s) => { InferenceService.declareMany(s, [ok('llm'), { id: 'qwen', props: { model: QWEN, gpus: 'H100' as any } }]); },
    error: '[bad-input/qwen] gpus: got "H100" (a string); expected a GpuRequest such as GpuRequest.of(1)',
  },
], { title: 'InferenceService.declareMany bad inputs' });
