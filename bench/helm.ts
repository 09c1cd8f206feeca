/**
 * The helm peer: `helm template` of the llm-d-router gateway chart (../shared/charts/llm-d-router, v0.10.0), the chart
 * users deploy the same routing with, one release per model, with helm built from the Go module proxy
 * (tools/helm/build.sh, cached).
 *
 * One `helm template` process per release, one after another: what a user with one release per model runs (a shell
 * loop, helmfile, or Argo CD rendering each Application), so each release pays helm's start-up and chart loading.
 * Wall and CPU time (user + system of the helm processes) come from bench/python/measure.py.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kindsOf } from './report';

const ROOT = path.resolve(__dirname, '..');
export const SHARED = process.env.CDK8S_AI_SHARED_DIR ?? path.resolve(ROOT, '..', 'shared');
export const CHART_SOURCE = path.join(SHARED, 'charts', 'llm-d-router');
const MEASURE = path.join(ROOT, 'bench', 'python', 'measure.py');

export interface Measurement { wallMs: number; cpuMs: number; userMs: number; sysMs: number; maxRssBytes: number; commands: number }

export interface Command { argv: string[]; cwd?: string; env?: Record<string, string> }

/** Runs the commands one after another under bench/python/measure.py; stdout of all of them to `stdout` if given. */
export function measure(commands: Command[], scratch: string, stdout?: string, python = 'python3'): Measurement {
  const plan = path.join(scratch, `plan-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(plan, JSON.stringify({ commands, stdout: stdout ?? null }));
  try {
    const r = spawnSync(python, [MEASURE, plan], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`measuring ${commands[0]?.argv.join(' ')} failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-4000)}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measurement;
  } finally {
    fs.rmSync(plan, { force: true });
  }
}

/** Builds helm (no-op when up to date); returns its path and version. */
export function prepareHelm(): { helm: string; version: string } {
  const helm = execFileSync('bash', [path.join(ROOT, 'tools', 'helm', 'build.sh')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const version = execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }).trim();
  return { helm, version };
}

/**
 * A scratch copy of the chart with its `file://../routerlib` dependency built (SOURCE.md: the build writes Chart.lock
 * and charts/router-0.0.0.tgz into the chart, so never into ../shared). Returns the gateway chart's folder.
 */
export function prepareChart(helm: string, scratch: string): string {
  if (!fs.existsSync(path.join(CHART_SOURCE, 'llm-d-router-gateway', 'Chart.yaml'))) {
    throw new Error(`${CHART_SOURCE}/llm-d-router-gateway is missing (see its SOURCE.md)`);
  }
  const copy = path.join(scratch, 'charts');
  fs.rmSync(copy, { recursive: true, force: true });
  for (const dir of ['llm-d-router-gateway', 'routerlib']) fs.cpSync(path.join(CHART_SOURCE, dir), path.join(copy, dir), { recursive: true });
  const chart = path.join(copy, 'llm-d-router-gateway');
  execFileSync(helm, ['dependency', 'build', chart], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return chart;
}

/**
 * `helm template` of release i: the model's InferencePool, endpoint picker and HTTPRoute from the shared gateway
 * (gateways/inference-gateway, like the fleet's route) with its ServiceMonitor, in the tenant's namespace (10 models
 * per tenant, like the fleet), selecting the model server pods by a label.
 */
export function releaseArgs(helm: string, chart: string, i: number, servicesPerTenant = 10): string[] {
  return [helm, 'template', `model-${i}`, chart,
    '--namespace', `team-${Math.floor(i / servicesPerTenant)}`,
    '--set', `router.modelServers.matchLabels.app=model-${i}`,
    '--set', 'httpRoute.create=true',
    '--set', 'httpRoute.inferenceGatewayName=inference-gateway',
    '--set', 'httpRoute.inferenceGatewayNamespace=gateways',
    '--set', 'router.monitoring.prometheus.enabled=true',
    // The chart names the ServiceMonitor's token Secret `inference-gateway-sa-metrics-reader-secret` in every release:
    // ten releases in one namespace would fight over it, so each release gets its own.
    '--set', `router.monitoring.prometheus.auth.secretName=model-${i}-metrics-reader`];
}

export interface HelmRender extends Measurement { objects: number; bytes: number; kinds: Record<string, number> }

/** N releases, one `helm template` process each, one after another. */
export function renderReleases(helm: string, chart: string, n: number, scratch: string): HelmRender {
  const out = path.join(scratch, `helm-${n}.yaml`);
  try {
    const m = measure(Array.from({ length: n }, (_, i) => ({ argv: releaseArgs(helm, chart, i) })), scratch, out);
    const yaml = fs.readFileSync(out, 'utf8');
    // helm separates documents with '---' lines, each stream starting with one: count the documents with content.
    const objects = yaml.split(/^---\s*$/m).filter((d) => /^kind:/m.test(d)).length;
    return { ...m, objects, bytes: Buffer.byteLength(yaml), kinds: kindsOf(yaml) };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

/** Kinds of one release of the chart (as rendered for the fleet). */
export function kindsOfOneRelease(helm: string, chart: string): Record<string, number> {
  const [command, ...args] = releaseArgs(helm, chart, 0);
  return kindsOf(execFileSync(command, args, { encoding: 'utf8' }));
}

/**
 * Kinds of one of our services in the fleet: the fleet of 2 minus the fleet of 1 (same tenant, same pool, same
 * platform objects), from the transpiled fleet in `build`.
 */
export function kindsOfOneService(build: string): Record<string, number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App } = require('cdk8s') as typeof import('cdk8s');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fleet = require(path.join(build, 'bench', 'fleet.js')) as typeof import('./fleet');
  const synth = (n: number) => {
    const app = new App();
    fleet.buildFleet(app, n);
    return kindsOf(app.synthYaml());
  };
  const one = synth(1);
  const two = synth(2);
  const out: Record<string, number> = {};
  for (const k of Object.keys(two)) if (two[k] - (one[k] ?? 0) > 0) out[k] = two[k] - (one[k] ?? 0);
  return out;
}
