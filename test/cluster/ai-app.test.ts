// AiApp writes the same files and bytes as cdk8s's App: every YamlOutputType, chart and object dependencies (numbered
// file names), construct metadata, a chart with its own toJson(), validation errors, and the example platform.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { AiApp } from '../../src';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every file under `dir` with its text, by relative path. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-app-'));
}

class OwnJsonChart extends Chart {
  public toJson(): any[] {
    return [...super.toJson(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'added-by-to-json' } }];
  }
}

/** Two charts that depend on each other, a nested chart, object dependencies, values the YAML writer must quote. */
function platform(app: App, own = false): void {
  const base = new Chart(app, 'base', { namespace: 'infra' });
  const ns = new ApiObject(base, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'infra' } });
  const Charts = own ? OwnJsonChart : Chart;
  const apps = new Charts(app, 'apps', { labels: { team: 'yes' } });
  const config = new ApiObject(apps, 'config', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: { on: 'off', version: '1.10', script: '#!/bin/sh\necho "hi: there"\n', empty: '', octal: '0755', list: '- a' },
  });
  const deploy = new ApiObject(apps, 'deploy', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', args: ['--x=1', 'y', '---'] }] } } } });
  deploy.addDependency(config);
  const nested = new Chart(apps, 'nested');
  new ApiObject(nested, 'svc', { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }], selector: {} } });
  config.addDependency(ns); // across charts: apps depends on base
}

/** A single chart without dependencies between charts (plain, unnumbered file names). */
function simple(app: App): void {
  const chart = new Chart(app, 'only', { disableResourceNameHashes: true });
  new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', data: { key: 'y' } });
  new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'Secret', stringData: { 'tls.crt': '-----BEGIN-----\nabc\n-----END-----\n' } });
}

function both(build: (app: App) => void, props: AppProps = {}): { cdk8s: Record<string, string>; ours: Record<string, string> } {
  const [a, b] = [tmp(), tmp()];
  try {
    const app = new App({ ...props, outdir: a });
    build(app);
    app.synth();
    const ai = new AiApp({ ...props, outdir: b });
    build(ai);
    ai.synth();
    return { cdk8s: tree(a), ours: tree(b) };
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
}

const OUTPUTS = [
  YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_CHART, YamlOutputType.FILE_PER_RESOURCE, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
];

describe('AiApp synthesizes what cdk8s App synthesizes', () => {
  test.each(OUTPUTS)('yamlOutputType %s: same files, same bytes (dependent charts, numbered names)', (yamlOutputType) => {
    const { cdk8s, ours } = both((app) => platform(app), { yamlOutputType });
    expect(Object.keys(cdk8s).length).toBeGreaterThan(0);
    expect(ours).toEqual(cdk8s);
  });

  test.each(OUTPUTS)('yamlOutputType %s: independent charts, another file extension, construct metadata', (yamlOutputType) => {
    const { cdk8s, ours } = both(simple, { yamlOutputType, outputFileExtension: '.yml', recordConstructMetadata: true });
    expect(Object.keys(cdk8s)).toContain('construct-metadata.json');
    expect(ours).toEqual(cdk8s);
  });

  test.each(OUTPUTS)('yamlOutputType %s: a chart class with its own toJson()', (yamlOutputType) => {
    const { cdk8s, ours } = both((app) => platform(app, true), { yamlOutputType });
    expect(ours).toEqual(cdk8s);
  });

  test('an app without charts writes what cdk8s writes (nothing)', () => {
    expect(both(() => undefined, { yamlOutputType: YamlOutputType.FILE_PER_APP })).toEqual({ cdk8s: {}, ours: {} });
  });

  test('synthYaml: the same string', () => {
    for (const build of [(app: App) => platform(app), (app: App) => platform(app, true), simple]) {
      const app = new App();
      build(app);
      const ai = new AiApp();
      build(ai);
      expect(ai.synthYaml()).toBe(app.synthYaml());
    }
  });

  test('the same validation error, and no file written; validation runs once per synthYaml (cdk8s: once per chart more)', () => {
    const calls = { cdk8s: 0, ours: 0 };
    const build = (app: App, count: 'cdk8s' | 'ours') => {
      platform(app);
      const bad = new Construct(app.node.findChild('apps'), 'bad');
      bad.node.addValidation({ validate: () => { calls[count]++; return ['replicas must be odd']; } });
      return app;
    };
    const [a, b] = [tmp(), tmp()];
    try {
      let expected = '';
      try {
        build(new App({ outdir: a }), 'cdk8s').synth();
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).toMatch(/^Validation failed with the following errors:\n {2}\[apps\/bad\] replicas must be odd$/);
      expect(() => build(new AiApp({ outdir: b }), 'ours').synth()).toThrow(expected);
      expect(tree(b)).toEqual(tree(a));
      expect(() => build(new AiApp(), 'ours').synthYaml()).toThrow(expected);
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
    const counted = { cdk8s: 0, ours: 0 };
    const passing = (app: App, count: 'cdk8s' | 'ours') => {
      platform(app);
      new Construct(app.node.findChild('apps'), 'ok').node.addValidation({ validate: () => { counted[count]++; return []; } });
      return app;
    };
    passing(new App(), 'cdk8s').synthYaml();
    passing(new AiApp(), 'ours').synthYaml();
    expect(counted).toEqual({ cdk8s: 1 + 3, ours: 1 }); // three charts: base, apps, apps/nested
  });
});

describe('the example platform under AiApp', () => {
  /** examples/main.ts synthesized like `cdk8s synth` (from src/), with its AiApp or with cdk8s's App in its place. */
  function synthExample(ai: boolean): Record<string, string> {
    const outdir = tmp();
    try {
      const stdout = execFileSync(process.execPath, [
        '-r', require.resolve('ts-node/register/transpile-only'),
        '-r', path.join(ROOT, 'test', 'scanners', 'lib-to-src.ts'),
        ...(ai ? [] : ['-r', path.join(ROOT, 'test', 'scanners', 'use-cdk8s-app.ts')]),
        path.join(ROOT, 'examples', 'main.ts'),
      ], {
        cwd: path.join(ROOT, 'examples'),
        env: { ...process.env, CDK8S_OUTDIR: outdir, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(String(stdout).includes('use-cdk8s-app: AiApp is cdk8s App')).toBe(!ai);
      return tree(outdir);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  test('writes the same files and bytes as with cdk8s App', () => {
    const cdk8s = synthExample(false);
    const ours = synthExample(true);
    expect(Object.keys(ours)).toEqual(['platform-report.json', 'platform-report.md', 'platform.k8s.yaml', 'tenants.k8s.yaml']);
    expect(ours).toEqual(cdk8s);
  });
});
