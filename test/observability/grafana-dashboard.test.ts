/**
 * The platform dashboard (PlatformObservability's ConfigMap for the Grafana sidecar), checked by Grafana's own schema
 * and its queries by Prometheus' own parser:
 *
 * - grafana-dashboard-check (tools/simcluster/grafana-dashboard-check: the Grafana Foundation SDK's strict decoder and
 *   Validate, closed enums and unit ids from the SDK) accepts every field the dashboard has. The only problems it
 *   reports are required fields the dashboard leaves out and Grafana fills in when it loads the dashboard (the built-in
 *   annotation list, the panel plugins' option defaults); with those filled in, the dashboard passes with no problem;
 * - a dashboard with unknown fields, wrong types and invalid values fails the same check;
 * - every panel query, with the dashboard's variables substituted as Grafana does, passes `promtool check rules`, and
 *   every series it reads is recorded by the PlatformObservability's PrometheusRule.
 */
import { App, Chart } from 'cdk8s';
import { checkDashboards } from './grafana-dashboard-check';
import { metricNames } from './promql-names';
import { PromtoolWorkspace, checkRules, promtoolPath, simclusterPath } from './promtool';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { synthExample } from '../scanners/example-app';
import { KubeObject, parseYamlObjects } from '../scanners/scanners';
import { platform } from '../security/fixtures';

/** A cold build of the simulated cluster's tools (the checker and promtool among them) takes a while. */
const BUILD_TIMEOUT = 90 * 60_000;
const NAME_LABEL = 'app.kubernetes.io/name';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** One synthesized dashboard and the recording rules of its PlatformObservability. */
interface Source {
  readonly label: string;
  readonly dashboard: any;
  readonly recorded: Set<string>;
  readonly objects: KubeObject[];
}

function sourcesOf(label: string, objects: KubeObject[]): Source[] {
  const mine = (o: KubeObject, kind: string) => o.kind === kind && (o.metadata.labels as any)?.[NAME_LABEL] === 'platform-observability';
  return objects.filter((o) => mine(o, 'ConfigMap')).flatMap((cm) => {
    const instance = (cm.metadata.labels as any)[INSTANCE_LABEL];
    const rules = objects.find((o) => mine(o, 'PrometheusRule') && (o.metadata.labels as any)[INSTANCE_LABEL] === instance);
    if (!rules) throw new Error(`${label}: no PrometheusRule of PlatformObservability ${instance}`);
    const recorded = new Set<string>(((rules as any).spec.groups as any[]).flatMap((g) => g.rules).map((r: any) => r.record).filter((r: any) => r));
    return Object.entries((cm as any).data as Record<string, string>).map(([key, text]) =>
      ({ label: `${label} (${key})`, dashboard: JSON.parse(text), recorded, objects }));
  });
}

/** PlatformObservability with every prop that changes the dashboard (name, currency, prices, folder) and two tenants. */
function everyOption(currency: string): KubeObject[] {
  const p = platform();
  new PlatformObservability(p.chart, 'Observability', {
    name: 'gpu-platform',
    currency,
    gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 4.5 }, { model: GpuModel.NVIDIA_L4, pricePerHour: 0.8 }],
    dashboardFolder: 'AI Platform',
  });
  new AiTenant(p.chart, 'research', { team: 'r', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 8 }] });
  new AiTenant(p.chart, 'prod', { team: 'p', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 8 }] });
  return parseYamlObjects(p.app.synthYaml(), `every option, ${currency}`);
}

/** PlatformObservability with no props and no tenant: no prices, an empty namespace variable. */
function defaults(): KubeObject[] {
  const app = new App();
  new ClusterProfile(app, 'Cluster');
  new PlatformObservability(new Chart(app, 'platform', { disableResourceNameHashes: true }), 'Observability');
  return parseYamlObjects(app.synthYaml(), 'defaults');
}

/** What Grafana's schema requires of each panel type's options and the dashboard does not write. */
const OMITTED_OPTIONS: Record<string, string[]> = {
  timeseries: ['legend.calcs', 'legend.showLegend', 'tooltip'],
  bargauge: ['legend', 'maxVizHeight', 'minVizHeight', 'minVizWidth', 'namePlacement', 'reduceOptions', 'showUnfilled', 'sizing', 'valueMode'],
};

/** The problems the check reports for the fields Grafana fills in on load (see `filledIn`). */
function omittedFields(dashboard: any): string[] {
  const missing = ['annotations', ...dashboard.panels.flatMap((p: any, i: number) => OMITTED_OPTIONS[p.type].map((f) => `panels[${i}].options.${f}`))];
  return missing.map((f) => `${f}: required field is missing from input`).sort();
}

/**
 * The dashboard with the fields Grafana fills in when it loads one: the annotation list (Grafana adds its built-in
 * annotation) and the panel options the plugin defaults supply, with values of the schema's types (the SDK's
 * NewOptions() defaults where it has one).
 */
function filledIn(dashboard: any): any {
  const legend = (showLegend: boolean) => ({ displayMode: 'list', placement: 'bottom', showLegend, calcs: [] });
  return {
    ...dashboard,
    annotations: { list: [] },
    panels: dashboard.panels.map((p: any) => ({
      ...p,
      options: p.type === 'timeseries'
        ? { ...p.options, legend: { ...p.options.legend, calcs: [], showLegend: true }, tooltip: { mode: 'single', sort: 'none' } }
        : {
          valueMode: 'color',
          namePlacement: 'auto',
          showUnfilled: true,
          sizing: 'auto',
          minVizWidth: 8,
          minVizHeight: 16,
          maxVizHeight: 300,
          legend: legend(false),
          reduceOptions: { values: false, calcs: ['lastNotNull'], fields: '' },
          ...p.options,
        },
    })),
  };
}

/** Grafana's variable values of one view of the dashboard, by variable name. */
type Selection = (variable: any) => string;
/** "All" selected: the variable's allValue (Grafana substitutes it verbatim). */
const ALL: Selection = (v) => v.allValue;
/** Every option selected one by one: Grafana's Prometheus data source writes a multi-value variable as `(a|b)`. */
const EVERY_OPTION: Selection = (v) => (v.options.length ? `(${v.options.map((o: any) => o.value).join('|')})` : v.allValue);

/** A panel query as Grafana sends it to Prometheus: `$name` and `${name}` replaced with the selection. */
function interpolate(expr: string, dashboard: any, select: Selection): string {
  const variables = new Map<string, any>(dashboard.templating.list.map((v: any) => [v.name, v]));
  return expr.replace(/\$(?:\{(\w+)\}|(\w+))/g, (ref, braced, bare) => {
    const v = variables.get(braced ?? bare);
    if (!v || v.type !== 'custom') throw new Error(`${ref} in "${expr}" is no custom variable of the dashboard`);
    return select(v);
  });
}

function panelQueries(dashboard: any): { title: string; expr: string }[] {
  return dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => ({ title: p.title, expr: t.expr })));
}

describe('the platform dashboard under Grafana\'s schema and promtool', () => {
  const sources = [
    ...sourcesOf('examples/main.ts', synthExample().objects),
    ...sourcesOf('every option, EUR', everyOption('EUR')),
    ...sourcesOf('every option, AUD (no Grafana currency unit)', everyOption('AUD')),
    ...sourcesOf('defaults', defaults()),
  ];
  const ws = new PromtoolWorkspace();

  beforeAll(() => {
    simclusterPath('GRAFANA_DASHBOARD_CHECK');
    promtoolPath();
  }, BUILD_TIMEOUT);
  afterAll(() => ws.cleanup());

  test('the sources cover the example and every prop that changes the dashboard', () => {
    expect(sources.map((s) => s.label)).toEqual([
      'examples/main.ts (observability.json)',
      'every option, EUR (gpu-platform.json)',
      'every option, AUD (no Grafana currency unit) (gpu-platform.json)',
      'defaults (observability.json)',
    ]);
    const [example, eur, aud, none] = sources.map((s) => s.dashboard);
    expect(example.templating.list[1].query).toBe('research,serving');
    expect(eur.title).toBe('AI platform (gpu-platform)');
    expect(eur.templating.list[1].query).toBe('prod,research');
    expect(none.templating.list[1].query).toBe('');
    const costUnit = (d: any) => d.panels.find((p: any) => p.type === 'bargauge').fieldConfig.defaults.unit;
    expect([example, eur, aud, none].map(costUnit)).toEqual(['currencyUSD', 'currencyEUR', 'currency:AUD', 'currencyUSD']);
    const folder = sources[1].objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'gpu-platform-dashboard')!;
    expect((folder.metadata.annotations as any)['k8s-sidecar-target-directory']).toBe('AI Platform');
  });

  test('Grafana\'s schema accepts every field the dashboard writes; it misses only fields Grafana fills in on load', () => {
    const input: Record<string, unknown> = {};
    for (const s of sources) {
      input[s.label] = s.dashboard;
      input[`${s.label}, filled in`] = filledIn(s.dashboard);
    }
    const results = checkDashboards(input);
    for (const s of sources) {
      expect({ source: s.label, problems: results[s.label].problems }).toEqual({ source: s.label, problems: omittedFields(s.dashboard) });
      expect({ source: s.label, ...results[`${s.label}, filled in`] }).toEqual({
        source: s.label,
        ok: true,
        summary: 'panel bargauge x1, panel timeseries x6, target prometheus x7, variable custom x1, variable datasource x1',
        problems: [],
      });
    }
  });

  test('a dashboard with unknown fields, wrong types or invalid values fails the same check', () => {
    const base = filledIn(sources[0].dashboard);
    const fields = structuredClone(base);
    fields.titel = 'typo';
    fields.panels[0].gridPos.w = '12';
    fields.panels[0].options.displayMode = 'gradient'; // a bar gauge option on a time series
    fields.panels[2].targets[0].query = 'up';
    fields.panels[4].fieldConfig.defaults.unitt = 's';
    fields.templating.list[1].includeAll = 'yes';
    const values = structuredClone(base);
    values.panels[1].gridPos.w = 30;
    values.panels[3].options.legend.displayMode = 'bogus';
    values.panels[5].type = 'timeserie';
    values.panels[6].options.orientation = 'sideways';
    values.panels[6].fieldConfig.defaults.unit = 'currencyAUD';
    values.panels[2].datasource.type = 'prometeus';
    values.panels[2].targets[0].datasource.type = 'prometeus';
    values.templating.list[0].type = 'datasauce';
    const results = checkDashboards({ fields, values });
    expect(results.fields.ok).toBe(false);
    expect(results.fields.problems).toEqual(expect.arrayContaining([
      'Dashboard: unexpected field \'titel\'',
      'panels[0].gridPos.w: json: cannot unmarshal string into Go value of type uint32',
      'panels[0].options.Options: unexpected field \'displayMode\'',
      'panels[2].targets[0].Dataquery: unexpected field \'query\'',
      'panels[4].fieldConfig.defaults.FieldConfig: unexpected field \'unitt\'',
      'templating.list[1].includeAll: json: cannot unmarshal string into Go value of type bool',
    ]));
    expect(results.values).toEqual({
      ok: false,
      problems: [
        'panels[1].Panel.gridPos.w: must be <= 24',
        'panels[2].targets[0]: the SDK has no schema for this target\'s datasource type',
        'panels[3].options.legend.displayMode: "bogus" is not one of "hidden", "list", "table" (common.LegendDisplayMode)',
        'panels[5].type: the SDK has no schema for panel type "timeserie"',
        'panels[6].fieldConfig.defaults.unit: "currencyAUD" is neither a unit id of the SDK\'s units package nor a custom unit (suffix:, prefix:, time:, si:, count:, currency:)',
        'panels[6].options.orientation: "sideways" is not one of "auto", "horizontal", "vertical" (common.VizOrientation)',
        'templating.list[0].type: "datasauce" is not one of "adhoc", "constant", "custom", "datasource", "groupby", "interval", "query", "snapshot", "switch", "system", "textbox" (dashboard.VariableType)',
      ],
    });
  });

  test('every panel query, with "All" and with every tenant selected, passes promtool check rules', () => {
    const files = sources.flatMap((s, i) => [['all', ALL], ['every-tenant', EVERY_OPTION]].map(([view, select]) =>
      ws.recordingRuleFile(`dashboard-${i}-${view}`, panelQueries(s.dashboard).map((q, j) =>
        ({ record: `dashboard:panel_${j + 1}:query`, expr: interpolate(q.expr, s.dashboard, select as Selection) })))));
    const result = checkRules(files);
    if (!result.ok) throw new Error(`promtool check rules failed on the dashboard queries:\n${result.output}`);
    expect(result.output.match(/SUCCESS: 7 rules found/g)).toHaveLength(2 * sources.length);
    expect(result.output).not.toMatch(/FAILED|WARNING/);
    // What promtool saw: the variable replaced.
    expect(interpolate(panelQueries(sources[0].dashboard)[0].expr, sources[0].dashboard, ALL)).toBe('namespace:gpu_utilization:avg{namespace=~".*"}');
    expect(interpolate(panelQueries(sources[0].dashboard)[0].expr, sources[0].dashboard, EVERY_OPTION)).toBe('namespace:gpu_utilization:avg{namespace=~"(research|serving)"}');
  });

  test('every series a panel reads is recorded by the PrometheusRule (without prices, the cost panel stays empty)', () => {
    for (const s of sources) {
      const unrecorded = panelQueries(s.dashboard).flatMap((q) => {
        const names = metricNames(q.expr);
        expect({ panel: q.title, reads: names.length > 0 }).toEqual({ panel: q.title, reads: true });
        return names.filter((n) => !s.recorded.has(n)).map((n) => `${q.title}: ${n}`);
      });
      // PlatformObservabilityProps.gpuPrices: "no prices: cost per namespace stays empty".
      const expected = s.label.startsWith('defaults') ? ['Cost per namespace (USD/h): namespace:gpu_cost_per_hour:sum'] : [];
      expect({ source: s.label, unrecorded }).toEqual({ source: s.label, unrecorded: expected });
    }
  });

  test('the query checks can fail: an invalid substitution fails promtool, a misspelt series is not recorded', () => {
    const { dashboard, recorded } = sources[0];
    const file = ws.recordingRuleFile('dashboard-broken', [{ record: 'dashboard:panel_1:query', expr: interpolate(panelQueries(dashboard)[0].expr, dashboard, () => '*') }]);
    const result = checkRules([file]);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/missing argument to repetition operator/);
    expect(metricNames('namespace:gpu_utilisation:avg{namespace=~".*"}').filter((n) => !recorded.has(n))).toEqual(['namespace:gpu_utilisation:avg']);
    expect(metricNames('sum by (namespace) (namespace_model:gpu_allocated:count * on (modelName) group_left() gpu:price_per_hour)'))
      .toEqual(['gpu:price_per_hour', 'namespace_model:gpu_allocated:count']);
    expect(metricNames('histogram_quantile(0.9, sum by (le) (rate(x_bucket{job="a"}[5m] offset 1h))) > bool 1e3')).toEqual(['x_bucket']);
  });
});
