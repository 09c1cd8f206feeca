/**
 * Issue 16: each endpoint-picker release's flag, plugin-maturity and feature-gate table (src/serving/epp-upstream.ts)
 * is that release's own. The tables are re-derived here from the upstream source at the tag:
 * - v0.10.0 from ../shared/upstream/llm-d-router-v0.10.0.tar.gz (always);
 * - v0.9.0 from a git clone of github.com/llm-d/llm-d-router named by CDK8S_AI_LLM_D_ROUTER_GIT (skipped without one).
 * Files read: pkg/epp/server/options.go, pkg/common/observability/logging/options.go, cmd/epp/runner/runner.go and the
 * plugin packages it imports (for the type constants). The zap flags come from controller-runtime, not this source.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EPP_V0_10_0, EPP_V0_9_0, EppUpstreamTable } from '../../src/serving/epp-upstream';

const TARBALL = path.resolve(__dirname, '../../../shared/upstream/llm-d-router-v0.10.0.tar.gz');
const GIT = process.env.CDK8S_AI_LLM_D_ROUTER_GIT;
const MODULE = 'github.com/llm-d/llm-d-router';
const ZAP_FLAGS = ['zap-devel', 'zap-encoder', 'zap-log-level', 'zap-stacktrace-level', 'zap-time-encoding'];

interface Derived {
  flags: string[];
  refused: string[];
  plugins: { [type: string]: string };
  gates: { [gate: string]: boolean | undefined };
}

function read(root: string, file: string): string {
  return fs.readFileSync(path.join(root, file), 'utf8');
}

/** Every `.go` file (not tests) under a package directory, its sub-packages included. */
function goFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return goFiles(p);
    return e.name.endsWith('.go') && !e.name.endsWith('_test.go') ? [p] : [];
  });
}

function derive(root: string): Derived {
  const options = read(root, 'pkg/epp/server/options.go');
  const addFlags = options.slice(options.indexOf('func (opts *Options) AddFlags'), options.indexOf('func (opts *Options) Complete'));
  const logging = read(root, 'pkg/common/observability/logging/options.go');
  const flagRe = /fs\.\w+\(&opts\.\w+,\s*"([a-z0-9-]+)"/g;
  const flags = [...addFlags.matchAll(flagRe), ...logging.matchAll(flagRe)].map((m) => m[1]);
  const deprecated = /deprecatedMetricFlags = map\[string\]struct\{\}\{([\s\S]*?)\n\}/.exec(options)![1];
  const refused = [...deprecated.matchAll(/"([a-z-]+)"/g)].map((m) => m[1]);

  const runner = read(root, 'cmd/epp/runner/runner.go');
  const imports = new Map<string, string>();
  for (const m of runner.matchAll(/^\s*(\w+)?\s*"([^"]+)"$/gm)) {
    if (!m[2].startsWith(`${MODULE}/`)) continue;
    imports.set(m[1] ?? m[2].split('/').pop()!, m[2].slice(MODULE.length + 1));
  }
  const constant = (pkg: string, name: string): string => {
    for (const file of goFiles(path.join(root, imports.get(pkg) ?? `<no import ${pkg}>`))) {
      const m = new RegExp(`\\b${name}\\s*(?:string\\s*)?=\\s*"([^"]*)"`).exec(fs.readFileSync(file, 'utf8'));
      if (m) return m[1];
    }
    throw new Error(`cannot resolve ${pkg}.${name}`);
  };
  const start = runner.indexOf('func (r *Runner) registerInTreePlugins');
  const body = runner.slice(start, runner.indexOf('\n}\n', start));
  const plugins: { [type: string]: string } = {};
  for (const m of body.matchAll(/fwkplugin\.Register\w*\(\s*(\w+)\.(\w+),\s*(?:fwkplugin\.Stability(\w+))?/g)) {
    plugins[constant(m[1], m[2])] = m[3] ?? 'Ungated';
  }
  const gates: { [gate: string]: boolean | undefined } = {};
  for (const m of runner.matchAll(/loader\.RegisterFeatureGate\((\w+)\.(\w+)(?:,\s*(true|false))?\)/g)) {
    gates[constant(m[1], m[2])] = m[3] === undefined ? false : m[3] === 'true';
  }
  return { flags, refused, plugins, gates };
}

function expectTable(table: EppUpstreamTable, d: Derived) {
  // Flags: the source's (those it refuses at start kept apart), plus the controller-runtime zap flags the logging
  // options bind.
  expect([...table.flags, ...Object.keys(table.refusedFlags)].sort()).toEqual([...d.flags, ...ZAP_FLAGS].sort());
  expect(Object.keys(table.refusedFlags).sort()).toEqual([...d.refused].sort());
  expect(Object.fromEntries(Object.entries(table.plugins).sort())).toEqual(Object.fromEntries(Object.entries(d.plugins).sort()));
  expect(table.featureGates).toEqual(d.gates);
}

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-epp-src-'));
}

describe('endpoint-picker tables match the upstream source at the tag', () => {
  test('v0.10.0 (../shared/upstream/llm-d-router-v0.10.0.tar.gz)', () => {
    const dir = scratch();
    try {
      execFileSync('tar', ['-xzf', TARBALL, '-C', dir, '--wildcards', '*/cmd/epp/*', '*/pkg/*']);
      const root = path.join(dir, fs.readdirSync(dir)[0]);
      const d = derive(root);
      expect(d.flags).toContain('allow-experimental-plugins');
      expect(d.plugins['session-affinity-scorer']).toBe('Alpha');
      expectTable(EPP_V0_10_0, d);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Registered only with a clone at hand (the module proxy refuses llm-d-router; ../shared/upstream has v0.10.0 only).
  if (GIT) {
    test('v0.9.0 (git clone in CDK8S_AI_LLM_D_ROUTER_GIT)', () => {
      const dir = scratch();
      try {
        const archive = path.join(dir, 'src.tar');
        execFileSync('git', ['-C', GIT!, 'archive', '-o', archive, 'v0.9.0', 'cmd/epp', 'pkg']);
        execFileSync('tar', ['-xf', archive, '-C', dir]);
        const d = derive(dir);
        expect(d.flags).not.toContain('drain-timeout');
        expectTable(EPP_V0_9_0, d);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
