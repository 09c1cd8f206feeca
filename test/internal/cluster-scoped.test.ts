import { ApiObject, App, Chart } from 'cdk8s';
import { clusterScoped } from '../../src/internal/cluster-scoped';

function namespace(chart: Chart, id: string, metadataNamespace?: string): ApiObject {
  return new ApiObject(chart, id, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: id, namespace: metadataNamespace } });
}

describe('clusterScoped', () => {
  test('removes the namespace a chart gives every object', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'team' });
    const obj = clusterScoped(namespace(chart, 'ns'));
    const [json] = chart.toJson();
    expect(json.metadata).toEqual({ name: 'ns' });
    expect(obj.toJson().metadata.namespace).toBeUndefined();
  });

  test('removes an explicit namespace too', () => {
    const chart = new Chart(new App(), 'c');
    clusterScoped(namespace(chart, 'ns', 'oops'));
    expect(chart.toJson()[0].metadata).toEqual({ name: 'ns' });
  });

  test('leaves an object without namespace alone (no patch that would fail at synth)', () => {
    const chart = new Chart(new App(), 'c');
    const obj = namespace(chart, 'ns');
    expect(clusterScoped(obj)).toBe(obj);
    expect(chart.toJson()).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }]);
  });
});
