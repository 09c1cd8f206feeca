import { App, Chart } from 'cdk8s';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';

/** An app whose platform chart holds the observability and whose workloads live in other charts. */
function appWithCharts(observabilityCount: number) {
  const app = new App();
  const platform = new Chart(app, 'platform');
  for (let i = 0; i < observabilityCount; i++) {
    new PlatformObservability(platform, `observability-${i}`, { runbookBaseUrl: `https://runbooks.example.com/${i}` });
  }
  const workloads = new Chart(app, 'workloads', { namespace: 'team' });
  const monitoring = new WorkloadMonitoring(workloads, 'train', { podLabels: { app: 'train' }, podNamePrefix: 'train', gpus: true });
  return { app, workloads, monitoring };
}

const runbookUrls = (monitoring: WorkloadMonitoring) =>
  monitoring.rules.toJson().spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.annotations?.runbook_url);

describe('PlatformObservability.of', () => {
  test('finds the app\'s only PlatformObservability declared in another chart', () => {
    const { workloads, monitoring } = appWithCharts(1);
    expect(PlatformObservability.of(workloads)?.node.id).toBe('observability-0');
    const urls = runbookUrls(monitoring);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^https:\/\/runbooks\.example\.com\/0#[a-z]+$/);
  });

  test('does not guess between several PlatformObservability in other charts', () => {
    const { workloads, monitoring } = appWithCharts(2);
    expect(PlatformObservability.of(workloads)).toBeUndefined();
    expect(runbookUrls(monitoring).every((u: unknown) => u === undefined)).toBe(true);
  });

  test('prefers the one declared up the construct tree', () => {
    const { app } = appWithCharts(1);
    const local = new Chart(app, 'local', { namespace: 'local' });
    const own = new PlatformObservability(local, 'own', {});
    expect(PlatformObservability.of(new Chart(local, 'nested'))).toBe(own);
  });
});
