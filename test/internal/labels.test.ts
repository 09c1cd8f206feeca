import { labelValue, selectorLabels, standardLabels } from '../../src/internal/labels';

describe('labels', () => {
  const id = { name: 'vllm', instance: 'llama', component: 'server', version: 'v0.11.0' };

  test('standard labels carry the app.kubernetes.io set', () => {
    expect(standardLabels(id)).toEqual({
      'app.kubernetes.io/name': 'vllm',
      'app.kubernetes.io/instance': 'llama',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'cdk8s-ai',
      'app.kubernetes.io/managed-by': 'cdk8s-ai',
      'app.kubernetes.io/version': 'v0.11.0',
    });
  });

  test('selector labels are the instance and component only, so a version bump never changes a selector', () => {
    expect(selectorLabels(id)).toEqual({ 'app.kubernetes.io/instance': 'llama', 'app.kubernetes.io/component': 'server' });
    expect(selectorLabels({ ...id, version: 'v2' })).toEqual(selectorLabels(id));
  });

  test('label values are cleaned to the label syntax', () => {
    expect(labelValue('nvcr.io/nvidia:25.01')).toBe('nvcr.io-nvidia-25.01');
    expect(labelValue('x'.repeat(80))).toHaveLength(63);
    expect(labelValue('-a-')).toBe('a');
  });
});
