/**
 * Runs tools/simcluster/grafana-dashboard-check on dashboard JSON: Grafana's dashboard schema as the Grafana Foundation
 * SDK (github.com/grafana/grafana-foundation-sdk/go, the version tools/simcluster/grafana-dashboard-check/go.mod pins)
 * decodes and validates it. See the tool's main.go for what it checks.
 *
 * The tool is built by tools/simcluster/build.sh (cached and fingerprinted), which prints its path and the SDK's module
 * directory (`GRAFANA_DASHBOARD_CHECK=`, `GRAFANA_SDK_MODULE=`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simclusterPath } from './promtool';

/** What the check says of one dashboard. */
export interface DashboardCheck {
  /** True when the dashboard has no problem. */
  readonly ok: boolean;
  /** What was decoded when ok, e.g. `panel timeseries x6, target prometheus x7, variable custom x1`. */
  readonly summary?: string;
  /** One line per problem, `<JSON path>: <problem>`, sorted. */
  readonly problems: string[];
}

/** Checks each dashboard (by label) and returns what the tool said of it. */
export function checkDashboards(dashboards: Record<string, unknown>): Record<string, DashboardCheck> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-grafana-'));
  try {
    const labels = Object.keys(dashboards);
    const files = labels.map((label, i) => {
      const file = path.join(dir, `dashboard-${i}.json`);
      fs.writeFileSync(file, typeof dashboards[label] === 'string' ? dashboards[label] as string : JSON.stringify(dashboards[label]));
      return file;
    });
    const res = spawnSync(simclusterPath('GRAFANA_DASHBOARD_CHECK'), ['-sdk', simclusterPath('GRAFANA_SDK_MODULE'), ...files], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (res.error) throw res.error;
    if (res.status !== 0 && res.status !== 1) throw new Error(`grafana-dashboard-check exited ${res.status}:\n${res.stdout}${res.stderr}`);
    return Object.fromEntries(labels.map((label, i) => {
      const prefix = `${files[i]}: `;
      const lines = res.stdout.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
      const ok = lines.length === 1 && lines[0].startsWith('ok (');
      return [label, ok ? { ok, summary: lines[0].slice('ok ('.length, -1), problems: [] } : { ok, problems: lines }];
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
