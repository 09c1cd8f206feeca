// vLLM data parallelism across LeaderWorkerSet pods (downward-API pod IP, shell start rank) on the real apiserver:
// the LeaderWorkerSet and its leader and worker pods (Pod Security restricted) are accepted as sent.
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ModelServer } from '../../src/serving/model-server';
import { validateObjects } from '../harness';
import { findObject, llama, lwsPods, newChart, objectsOf, validatable } from './fixtures';


test.each([
  ['one rank per pod', { tensor: 8, data: 2 }],
  ['four ranks per pod', { tensor: 2, data: 8 }],
])('vLLM data parallel over pods, %s', async (_, parallelism) => {
  const { chart } = newChart();
  llama(chart, 'llm', ModelServer.vllm(), { gpus: GpuRequest.of(8), parallelism, multiNode: {}, route: { gateway: 'inference-gateway' } });
  const objects = objectsOf(chart);
  findObject(objects, 'LeaderWorkerSet', 'llm-lws');
  const sent = [...validatable(objects), ...lwsPods(objects)];
  const results = await validateObjects(sent, { environment: 'default' });
  expect(results.length).toBeGreaterThanOrEqual(sent.length);
});
