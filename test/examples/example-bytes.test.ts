/**
 * The example platform's output, byte for byte: every file `cdk8s synth` writes for examples/main.ts (both charts'
 * YAML and the readiness report). The snapshot was recorded before the architecture reshape (issue 21) and is never
 * updated by CI, so a refactor that changes one byte of what users get fails here. A regression net, not the proof:
 * test/examples/example.apiserver.test.ts and the simulated cluster prove the objects are accepted and run. Updated
 * on purpose since: the example gained a RayCluster and the Kueue gang-start advice was corrected; the stable Llama
 * gained a shared model volume filled by a download Job and KEDA autoscaling (issue 18).
 */
import { synthExample } from '../scanners/example-app';

describe('the example platform, byte for byte', () => {
  const { texts } = synthExample();

  test('writes the same files', () => {
    expect(Object.keys(texts)).toEqual(['platform-report.json', 'platform-report.md', 'platform.k8s.yaml', 'tenants.k8s.yaml']);
  });

  test.each(['platform-report.json', 'platform-report.md', 'platform.k8s.yaml', 'tenants.k8s.yaml'])('%s is unchanged', (file) => {
    expect(texts[file]).toMatchSnapshot();
  });
});
