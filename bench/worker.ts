/**
 * One measurement in a fresh process: `worker <variant> <n> <manifests.json>`; prints one JSON line (a Sample).
 *
 * - capture:   synthesizes our fleet once (cdk8s App) and writes its manifests (exactly the documents
 *              `app.synthYaml()` writes) to <manifests.json>, for the baseline and the floor;
 * - ours:      build the fleet with our constructs in an `AiApp` + `app.synthYaml()` (the judged variant);
 * - oursApp:   the same fleet in cdk8s's own `App` + `app.synthYaml()` (what ours was before AiApp);
 * - oursFiles: the fleet in an `AiApp` + `app.synth()` into a fresh outdir, as `cdk8s synth` runs it (the
 *              TypeScript side of the Python comparison, measured the same way as the Python worker);
 * - oursFilesPerService: oursFiles with a fresh props object built for every service (the Python `perService` peer);
 * - baseline:  the captured manifests as plain cdk8s `ApiObject`s in a bare chart (cdk8s App) + `app.synthYaml()`;
 * - floor:     the captured manifests only serialized: cdk8s `Yaml.stringify(...docs)` (what `synthYaml` ends with).
 *
 * The timed region starts after modules are loaded and the input is read, and ends when the YAML string (or the
 * files) exists.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { AiApp } from '../src/cluster/ai-app';

export type Variant = 'capture' | 'ours' | 'oursApp' | 'oursFiles' | 'oursFilesPerService' | 'baseline' | 'floor';
const WORKER_VARIANTS: readonly Variant[] = ['capture', 'ours', 'oursApp', 'oursFiles', 'oursFilesPerService', 'baseline', 'floor'];

export interface Sample {
  readonly variant: Variant;
  readonly n: number;
  /** Wall time of the timed region, milliseconds. */
  readonly ms: number;
  /** CPU time (user + system, all threads of the process: GC helpers too) of the timed region, milliseconds. */
  readonly cpuMs: number;
  /** ours*, capture: wall and CPU time of the first phase (App + the fleet's constructs), before synthesis. */
  readonly buildMs?: number;
  readonly buildCpuMs?: number;
  /** Peak resident set size of the process (whole run: runtime, modules, input and synth), bytes. */
  readonly peakRssBytes: number;
  /** YAML documents written. */
  readonly objects: number;
  /** Bytes of YAML written. */
  readonly bytes: number;
  /** sha256 of the YAML. */
  readonly sha256: string;
  /**
   * sha256 of the written documents with keys sorted (first repetition only): equal when two variants write the same
   * objects, whatever the key order.
   */
  readonly contentSha256?: string;
}

function canonical(value: any): any {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, any> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
  return out;
}

function peakRss(): number {
  // VmHWM is the kernel's peak RSS of this process; resourceUsage().maxRSS (KiB) is the same figure elsewhere.
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS * 1024;
}

function count(yaml: string): number {
  // Yaml.stringify joins documents with '---\n'; a document never contains that line otherwise (strings are quoted).
  return yaml.length === 0 ? 0 : yaml.split(/^---\n/m).length;
}

function main(): void {
  const [variant, nText, manifests, check] = process.argv.slice(2) as [Variant, string, string, string | undefined];
  const n = Number(nText);
  if (!WORKER_VARIANTS.includes(variant) || !Number.isInteger(n) || n < 1 || !manifests) {
    throw new Error(`usage: worker <${WORKER_VARIANTS.join('|')}> <n> <manifests.json> [check]`);
  }
  let yaml: string;
  let ms: number;
  let cpuMs: number;
  let written: () => any[];
  let buildMs: number | undefined;
  let buildCpuMs: number | undefined;
  const cpuSince = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  let outdir: string | undefined;
  if (variant !== 'baseline' && variant !== 'floor') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildFleet } = require('./fleet') as typeof import('./fleet');
    const toFiles = variant === 'oursFiles' || variant === 'oursFilesPerService';
    if (toFiles) outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-bench-out-'));
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const app = variant === 'oursApp' || variant === 'capture' ? new App() : new AiApp({ outdir });
    buildFleet(app, n, variant === 'oursFilesPerService');
    buildMs = Number(process.hrtime.bigint() - start) / 1e6;
    buildCpuMs = cpuSince(cpu);
    if (variant === 'capture') {
      // Exactly what synthYaml stringifies: the documents of every chart, in order.
      const docs = app.charts.flatMap((c) => Object.values(c.toJson()));
      yaml = Yaml.stringify(...docs);
      fs.writeFileSync(manifests, JSON.stringify(docs));
      written = () => docs;
    } else if (toFiles) {
      app.synth();
      yaml = ''; // read below, outside the timed region
      written = () => app.charts.flatMap((c) => Object.values(c.toJson()));
    } else {
      yaml = app.synthYaml();
      written = () => app.charts.flatMap((c) => Object.values(c.toJson()));
    }
    ms = Number(process.hrtime.bigint() - start) / 1e6;
    cpuMs = cpuSince(cpu);
  } else {
    const input: any[] = JSON.parse(fs.readFileSync(manifests, 'utf8'));
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    if (variant === 'baseline') {
      const app = new App();
      const chart = new Chart(app, 'fleet', { disableResourceNameHashes: true });
      for (let i = 0; i < input.length; i++) new ApiObject(chart, `o${i}`, input[i]);
      yaml = app.synthYaml();
      written = () => app.charts.flatMap((c) => Object.values(c.toJson()));
    } else {
      yaml = Yaml.stringify(...input);
      written = () => input;
    }
    ms = Number(process.hrtime.bigint() - start) / 1e6;
    cpuMs = cpuSince(cpu);
  }
  const peakRssBytes = peakRss();
  if (outdir) {
    // The fleet is one chart: one file, the same bytes as synthYaml's string.
    yaml = fs.readdirSync(outdir).sort().map((f) => fs.readFileSync(path.join(outdir!, f), 'utf8')).join('');
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  // Outside the timed region and after the RSS reading: what was written, for the identity checks.
  const sample: Sample = {
    variant,
    n,
    ms,
    cpuMs,
    buildMs,
    buildCpuMs,
    peakRssBytes,
    objects: count(yaml),
    bytes: Buffer.byteLength(yaml),
    sha256: createHash('sha256').update(yaml).digest('hex'),
    contentSha256: check ? createHash('sha256').update(JSON.stringify(written().map(canonical))).digest('hex') : undefined,
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

main();
