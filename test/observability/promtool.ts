/**
 * Runs Prometheus' own rule checker and rule unit-test runner, promtool (github.com/prometheus/prometheus, the
 * version tools/simcluster/promtool/go.mod pins), on the PrometheusRules the library synthesizes.
 *
 * promtool is built by tools/simcluster/build.sh (cached and fingerprinted; a warm call takes about a second), which
 * prints `PROMTOOL=<path>` among its output lines. `CDK8S_AI_PROMTOOL` points at another binary instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { KubeObject, PROJECT_ROOT } from '../scanners/scanners';

export const SIMCLUSTER_BUILD_SCRIPT = path.join(PROJECT_ROOT, 'tools', 'simcluster', 'build.sh');

let buildOutput: string | undefined;

/**
 * A path tools/simcluster/build.sh prints as `NAME=path` (a binary, or an upstream module directory), e.g.
 * `simclusterPath('PROMTOOL')`. The script builds what is out of date first; it runs once per process.
 */
export function simclusterPath(name: string): string {
  buildOutput ??= execFileSync('bash', [SIMCLUSTER_BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  const line = buildOutput.split('\n').find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`${SIMCLUSTER_BUILD_SCRIPT} printed no ${name}= line; it printed:\n${buildOutput}`);
  const value = line.slice(name.length + 1).trim();
  if (!fs.existsSync(value)) throw new Error(`${SIMCLUSTER_BUILD_SCRIPT} printed ${name}=${value}, which does not exist`);
  return value;
}

let cachedPath: string | undefined;

/** The promtool binary: built (or found up to date) by tools/simcluster/build.sh. */
export function promtoolPath(): string {
  if (cachedPath) return cachedPath;
  const override = process.env.CDK8S_AI_PROMTOOL;
  if (override) return (cachedPath = override);
  return (cachedPath = simclusterPath('PROMTOOL'));
}

/** One alerting or recording rule of a PrometheusRule group, as synthesized. */
export interface PromRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A PrometheusRule written as a promtool rules file (its `spec.groups`). */
export interface RuleFile {
  /** `PrometheusRule/<namespace>/<name>` and where it came from. */
  readonly source: string;
  readonly object: KubeObject;
  readonly path: string;
  readonly rules: PromRule[];
}

/** A promtool unit-test file (`promtool test rules`); `tests` are promtool test groups. */
export interface UnitTestFile {
  readonly rule_files: string[];
  readonly evaluation_interval: string;
  readonly fuzzy_compare?: boolean;
  readonly tests: any[];
}

export interface PromtoolResult {
  readonly ok: boolean;
  readonly output: string;
}

/** A scratch directory for rule and test files, removed by `cleanup`. */
export class PromtoolWorkspace {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-promtool-'));
  private count = 0;

  /** Writes every PrometheusRule among `objects` as a rules file of its own (group names repeat across objects). */
  public ruleFiles(objects: readonly KubeObject[], origin: string): RuleFile[] {
    return objects.filter((o) => o.kind === 'PrometheusRule').map((object) => {
      const groups = ((object as any).spec?.groups ?? []) as { rules?: PromRule[] }[];
      const file = this.write(`rules-${object.metadata.name}.yaml`, { groups });
      return {
        source: `PrometheusRule/${object.metadata.namespace ?? '-'}/${object.metadata.name} (${origin})`,
        object,
        path: file,
        rules: groups.flatMap((g) => g.rules ?? []),
      };
    });
  }

  /** Writes a rules file of one group with the given recording rules (e.g. to have promtool parse queries). */
  public recordingRuleFile(name: string, rules: readonly { record: string; expr: string }[]): string {
    return this.write(`rules-${name}.yaml`, { groups: [{ name, rules }] });
  }

  /** Writes a unit-test file. */
  public testFile(name: string, content: UnitTestFile): string {
    return this.write(`test-${name}.yaml`, content);
  }

  public cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private write(name: string, content: unknown): string {
    const file = path.join(this.dir, `${String(++this.count).padStart(3, '0')}-${name.replace(/[^a-zA-Z0-9.-]/g, '_')}`);
    fs.writeFileSync(file, stringify(content, { lineWidth: 0 }));
    return file;
  }
}

function run(args: string[]): PromtoolResult {
  const res = spawnSync(promtoolPath(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw res.error;
  return { ok: res.status === 0, output: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

/** `promtool check rules <files>` (with its default lint checks). */
export function checkRules(files: readonly string[]): PromtoolResult {
  return run(['check', 'rules', ...files]);
}

/** `promtool test rules <files>`. */
export function testRules(files: readonly string[]): PromtoolResult {
  return run(['test', 'rules', ...files]);
}
