/**
 * Runs the two policy scanners platform teams gate their pipelines with, kube-linter and checkov, on synthesized
 * objects, and turns what they report into findings that name the scanner's check, its own message and the object.
 *
 * The scanners are installed by tools/scanners/build.sh (cached; a warm run is a no-op). Their configuration is the
 * checked-in `.kube-linter.yaml` and `.checkov.yaml` at the project root, so a run here is the run a user's pipeline
 * does with those files.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { narrowedChecks } from './narrowed-checks';
import { embeddedPodTemplates } from './pod-templates';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const BUILD_SCRIPT = path.join(PROJECT_ROOT, 'tools', 'scanners', 'build.sh');
export const KUBE_LINTER_CONFIG = path.join(PROJECT_ROOT, '.kube-linter.yaml');
export const CHECKOV_CONFIG = path.join(PROJECT_ROOT, '.checkov.yaml');

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** One document handed to the scanners, and how findings on it are reported. */
export interface ScanTarget {
  readonly object: KubeObject;
  /** `Kind/namespace/name` of the synthesized object (plus the template path for an embedded pod template). */
  readonly describe: string;
}

/** `cdk8s-ai`: what remains of a check a scanner configuration disables for one kind of workload (narrowed-checks.ts). */
export type ScannerName = 'kube-linter' | 'checkov' | 'cdk8s-ai';

export interface Finding {
  readonly scanner: ScannerName;
  /** The scanner's check id (`latest-tag`, `CKV_K8S_40`). */
  readonly check: string;
  /** The scanner's own message. */
  readonly message: string;
  /** The object the scanner names, as `Kind/namespace/name`. */
  readonly object: string;
}

export interface ScanReport {
  readonly label: string;
  readonly findings: Finding[];
  /** Synthesized objects scanned. */
  readonly objects: number;
  /** Pod templates embedded in custom resources (JobSet, LeaderWorkerSet, ...) scanned as workloads of their own. */
  readonly embeddedTemplates: number;
  /** Scanned documents kube-linter loaded as workloads (every workload must be among them). */
  readonly kubeLinterChecked: number;
  /** Scanned documents checkov ran at least one check on (every workload must be among them). */
  readonly checkovChecked: number;
  readonly kubeLinterMs: number;
  readonly checkovMs: number;
}

export interface ScannerPaths {
  readonly kubeLinter: string;
  readonly checkov: string;
}

/** The built-in kinds that carry a pod spec, which both scanners inspect. */
export const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);

let paths: ScannerPaths | undefined;

/** Runs tools/scanners/build.sh (a no-op when both scanners are cached) and returns where they are. */
export function scannerPaths(): ScannerPaths {
  if (!paths) {
    const out = execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const value = (key: string) => {
      const m = new RegExp(`^${key}=(.+)$`, 'm').exec(out);
      if (!m) throw new Error(`${BUILD_SCRIPT} printed no ${key}= line; it printed:\n${out}`);
      return m[1];
    };
    paths = { kubeLinter: value('KUBE_LINTER'), checkov: value('CHECKOV') };
  }
  return paths;
}

/** `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object. */
export function describeObject(o: KubeObject): string {
  return [o.kind, o.metadata.namespace, o.metadata.name].filter((x) => x !== undefined && x !== '').join('/');
}

/** Parses multi-document YAML into objects (empty documents skipped). */
export function parseYamlObjects(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length) throw new Error(`${source}: invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value as KubeObject);
  }
  return out;
}

/** The synthesized objects plus every pod template embedded in a custom resource, as scanner targets. */
export function scanTargets(objects: readonly KubeObject[]): ScanTarget[] {
  return [
    ...objects.map((object) => ({ object, describe: describeObject(object) })),
    ...objects.flatMap((o) => embeddedPodTemplates(o)),
  ];
}

/**
 * Scans `objects` (one app: scanners relate objects to each other, e.g. a pod to the NetworkPolicy selecting it)
 * with both scanners, plus the narrowed form of the checks their configurations disable, and returns the findings.
 * Throws when a scanner fails to run or to parse an object.
 */
export async function scan(label: string, objects: readonly KubeObject[]): Promise<ScanReport> {
  const tools = scannerPaths();
  const targets = scanTargets(objects);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-scan-')));
  try {
    // One document per file (both scanners report the file, which names the object unambiguously), written the way
    // `cdk8s synth` writes it: YAML 1.1, which is how the scanners' (and kubectl's) Go and Python parsers read it.
    const byFile = new Map<string, ScanTarget>();
    targets.forEach((t, i) => {
      const file = path.join(dir, `${String(i).padStart(4, '0')}.yaml`);
      fs.writeFileSync(file, Yaml.stringify(t.object));
      byFile.set(file, t);
    });
    const [kl, ck] = await Promise.all([runKubeLinter(tools.kubeLinter, dir, byFile), runCheckov(tools.checkov, dir, byFile)]);
    // A clean result must mean "checked and fine", never "not looked at": every pod-bearing object was checked.
    for (const [scanner, checked] of [['kube-linter', kl.checked], ['checkov', ck.checked]] as const) {
      const unchecked = [...byFile].filter(([file, t]) => WORKLOAD_KINDS.has(t.object.kind) && !checked.has(file));
      if (unchecked.length) throw new Error(`${label}: ${scanner} did not inspect ${unchecked.map(([, t]) => t.describe).join(', ')}`);
    }
    return {
      label,
      findings: [...kl.findings, ...ck.findings, ...narrowedChecks(targets)],
      objects: objects.length,
      embeddedTemplates: targets.length - objects.length,
      kubeLinterChecked: kl.checked.size,
      checkovChecked: ck.checked.size,
      kubeLinterMs: kl.ms,
      checkovMs: ck.ms,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per finding: `[scanner check] Kind/ns/name: message`. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.scanner} ${f.check}] ${f.object}: ${f.message}`).join('\n');
}

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly ms: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code, ms: Date.now() - start }));
  });
}

function targetOf(byFile: Map<string, ScanTarget>, file: string, scanner: ScannerName): ScanTarget {
  const t = byFile.get(path.resolve(file));
  if (!t) throw new Error(`${scanner} reported a finding in ${file}, which is not one of the scanned files`);
  return t;
}

async function runKubeLinter(bin: string, dir: string, byFile: Map<string, ScanTarget>) {
  // The inventory configuration sits next to the scanned directory, never in it.
  const inventoryConfig = `${dir}-inventory.yaml`;
  fs.writeFileSync(inventoryConfig, INVENTORY_CONFIG);
  const [lint, inventory] = await Promise.all([
    kubeLinter(bin, KUBE_LINTER_CONFIG, dir),
    kubeLinter(bin, inventoryConfig, dir),
  ]).finally(() => fs.rmSync(inventoryConfig, { force: true }));
  const findings = lint.reports.map((rep): Finding => ({
    scanner: 'kube-linter',
    check: rep.Check,
    message: `${rep.Diagnostic.Message} (remediation: ${rep.Remediation})`,
    object: targetOf(byFile, rep.Object.Metadata.FilePath, 'kube-linter').describe,
  }));
  const checked = new Set(inventory.reports.map((rep) => path.resolve(rep.Object.Metadata.FilePath)));
  return { findings, checked, ms: lint.ms };
}

/** Runs `kube-linter lint` with `config` on `dir`; an object it cannot load is an error, not a silent skip. */
async function kubeLinter(bin: string, config: string, dir: string) {
  const r = await run(bin, ['lint', '--verbose', '--config', config, '--format', 'json', '--with-color=false', dir]);
  const unloaded = r.stderr.split('\n').filter((l) => /failed to load object/i.test(l));
  if (unloaded.length) throw new Error(`kube-linter could not load objects:\n${unloaded.join('\n')}`);
  let parsed: { Reports?: KubeLinterReport[] | null };
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new Error(`kube-linter exited ${r.code} without a JSON report:\n${r.stdout}\n${r.stderr}`);
  }
  const reports = parsed.Reports ?? [];
  // Exit 0 means no findings, exit 1 with findings a lint failure; anything else is an error of the run itself.
  if (!(r.code === 0 && reports.length === 0) && !(r.code === 1 && reports.length > 0)) {
    throw new Error(`kube-linter exited ${r.code} with ${reports.length} findings:\n${r.stderr}`);
  }
  return { reports, ms: r.ms };
}

/**
 * A kube-linter configuration whose only check reports every workload object it loaded (an annotation no object
 * carries is required): the list of what kube-linter actually inspected.
 */
const INVENTORY_CONFIG = stringify({
  checks: { doNotAutoAddDefaults: true },
  customChecks: [{
    name: 'cdk8s-ai-inventory',
    template: 'required-annotation',
    params: { key: 'cdk8s-ai.dev/kube-linter-inventory' },
    scope: { objectKinds: ['DeploymentLike'] },
  }],
});

interface KubeLinterReport {
  readonly Check: string;
  readonly Remediation: string;
  readonly Diagnostic: { readonly Message: string };
  readonly Object: { readonly Metadata: { readonly FilePath: string } };
}

interface CheckovResult {
  readonly check_id: string;
  readonly check_name: string;
  readonly file_abs_path: string;
  readonly resource: string;
  readonly check_result?: { readonly evaluated_keys?: string[] };
}

interface CheckovReport {
  readonly check_type?: string;
  readonly results?: { readonly failed_checks?: CheckovResult[]; readonly passed_checks?: CheckovResult[] };
  readonly summary: { readonly failed: number; readonly parsing_errors: number; readonly resource_count: number };
}

async function runCheckov(bin: string, dir: string, byFile: Map<string, ScanTarget>) {
  const r = await run(bin, ['--config-file', CHECKOV_CONFIG, '--directory', dir, '--framework', 'kubernetes',
    '--skip-download', '--output', 'json', '--compact'], {
    // Offline: no update check against PyPI, and a YAML checkov cannot parse is an error, not a silent skip.
    CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true',
    CKV_PARSE_ERROR_FAIL: 'true',
    BC_SKIP_MAPPING: 'TRUE',
    LOG_LEVEL: 'ERROR',
  });
  let parsed: CheckovReport | CheckovReport[];
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new Error(`checkov exited ${r.code} without a JSON report:\n${r.stdout}\n${r.stderr}`);
  }
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  const k8s = reports.filter((x) => x.check_type === undefined || x.check_type === 'kubernetes');
  const failed = k8s.flatMap((x) => x.results?.failed_checks ?? []);
  const parsingErrors = k8s.reduce((n, x) => n + (x.summary?.parsing_errors ?? 0), 0);
  if (parsingErrors > 0) throw new Error(`checkov could not parse ${parsingErrors} of the files:\n${r.stderr}`);
  if (!(r.code === 0 && failed.length === 0) && !(r.code === 1 && failed.length > 0)) {
    throw new Error(`checkov exited ${r.code} with ${failed.length} failed checks:\n${r.stderr}`);
  }
  const findings = failed.map((c): Finding => ({
    scanner: 'checkov',
    check: c.check_id,
    message: `${c.check_name}${c.check_result?.evaluated_keys?.length ? ` (evaluated: ${c.check_result.evaluated_keys.join(', ')})` : ''}`,
    object: targetOf(byFile, c.file_abs_path, 'checkov').describe,
  }));
  const checked = new Set([...failed, ...k8s.flatMap((x) => x.results?.passed_checks ?? [])].map((c) => path.resolve(c.file_abs_path)));
  return { findings, checked, ms: r.ms };
}
