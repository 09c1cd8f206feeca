// The synth-time CEL check against the real apiserver (1.34 and 1.37): the apiserver compiles exactly the selectors
// of the corpus that it should, and rejects every one our check refuses. The ResourceClaimTemplates are built by
// hand, so the apiserver sees the refused selectors too.
import { ACCEPTED, ACCEPTED_SINCE_1_37, REFUSED } from './device-selector-corpus';
import { ENVS, NAMESPACE } from './fixtures';
import { deviceSelectorProblem } from '../../src/accelerators/device-cel-environment';
import { KubeObject, sessionFor, validateSet } from '../harness';

function claimTemplate(name: string, expression: string): KubeObject {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { name, namespace: NAMESPACE },
    spec: { spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu.nvidia.com', selectors: [{ cel: { expression } }] } }] } } },
  };
}

describe.each(ENVS)('CEL device selectors on the %s environment', (env) => {
  test('the apiserver rejects what the synth-time check refuses, and compiles the rest', async () => {
    const newer = env === 'latest';
    const corpus = [...ACCEPTED, ...ACCEPTED_SINCE_1_37, ...REFUSED.map(([expression]) => expression)];
    const expected = (expression: string) => ACCEPTED.includes(expression) || (newer && ACCEPTED_SINCE_1_37.includes(expression));
    const { failures } = await validateSet(sessionFor(env), corpus.map((expression, i) => claimTemplate(`selector-${i}`, expression)));
    const surprises = corpus.flatMap((expression, i) => {
      const failure = failures.find((f) => f.object.metadata.name === `selector-${i}`);
      const ours = deviceSelectorProblem(expression);
      if (ours !== undefined && !failure) return [`${expression}: refused by our check (${ours}) but compiled by the apiserver`];
      if (expected(expression) !== !failure) return [`${expression}: ${failure ? `rejected (${failure.message})` : 'compiled'} by the apiserver`];
      return [];
    });
    expect(surprises).toEqual([]);
  });
});
