/**
 * The benchmark's text output: the tables of every part, the targets, and the comparison with an earlier result file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BenchResult, fmtMb, fmtMs, fmtN, formatTarget, Measured, sameOutput, SCHEMA, table, VARIANTS,
} from './report';

export function report(result: BenchResult): void {
  const fleetRan = result.config.parts.includes('fleet');
  console.log(`\nfleet synth, ${result.config.reps} repetition(s) per variant, median wall time (fresh process each; ` +
    `load avg ${result.machine.loadAvgStart.map((x) => x.toFixed(1)).join(' ')} -> ${result.machine.loadAvgEnd.map((x) => x.toFixed(1)).join(' ')}, ` +
    `${result.machine.cpus} CPUs)\n`);
  if (fleetRan) {
    const rows = [['N', 'objects', 'YAML bytes', 'ours', 'ours (App)', 'raw cdk8s', 'floor', 'CPU ours', 'ours (App)', 'raw', 'floor',
      'RSS ours', 'ours (App)', 'raw', 'floor', 'same output']];
    for (const r of result.results) {
      const v = r.variants;
      const app = v.oursApp;
      rows.push([fmtN(r.n), fmtN(r.objects), fmtN(r.bytes), fmtMs(v.ours.medianMs), app ? fmtMs(app.medianMs) : '-', fmtMs(v.baseline!.medianMs),
        fmtMs(v.floor!.medianMs), fmtMs(v.ours.medianCpuMs), app ? fmtMs(app.medianCpuMs) : '-', fmtMs(v.baseline!.medianCpuMs),
        fmtMs(v.floor!.medianCpuMs), fmtMb(v.ours.maxPeakRssBytes), app ? fmtMb(app.maxPeakRssBytes) : '-', fmtMb(v.baseline!.maxPeakRssBytes),
        fmtMb(v.floor!.maxPeakRssBytes), sameOutput(r) ? 'yes' : 'NO']);
    }
    console.log(table(rows));
    const f = (x?: number) => (x === undefined ? '-' : x.toFixed(2));
    const ratios = [['N', 'ours/raw', 'ours/floor', 'cpu o/r', 'cpu o/f', '(App)/raw', '(App)/floor', 'cpu (App)/r', 'cpu (App)/f',
      'ours/(App)', 'cpu ours/(App)']];
    for (const r of result.results) {
      const [w, c] = [r.ratios!, r.cpuRatios!];
      ratios.push([fmtN(r.n), f(w.oursToBaseline), f(w.oursToFloor), f(c.oursToBaseline), f(c.oursToFloor), f(w.oursAppToBaseline),
        f(w.oursAppToFloor), f(c.oursAppToBaseline), f(c.oursAppToFloor), f(w.oursToOursApp), f(c.oursToOursApp)]);
    }
    console.log(`\n${table(ratios)}`);
    console.log('\n(ours: our constructs in an AiApp + app.synthYaml() (judged); ours (App): the same fleet in cdk8s\'s own App + ' +
      'app.synthYaml(); raw cdk8s (the baseline): the same manifests as plain ApiObjects in a bare chart of a cdk8s App + ' +
      'app.synthYaml(); floor: cdk8s Yaml.stringify of the manifests. Times: median wall and CPU time; ratios of median wall ' +
      'times, "cpu" ratios of median CPU times. RSS: highest peak of any repetition, whole process.)');
  } else if (result.results.length) {
    console.log(table([['N', 'objects', 'YAML bytes', 'ours', 'ours CPU', 'RSS ours'],
      ...result.results.map((r) => [fmtN(r.n), fmtN(r.objects), fmtN(r.bytes), fmtMs(r.variants.ours.medianMs),
        fmtMs(r.variants.ours.medianCpuMs), fmtMb(r.variants.ours.maxPeakRssBytes)])]));
  }
  const grown = (Object.keys(result.growth) as (Measured | 'python')[]).filter((k) => result.growth[k]!.length);
  if (grown.length) {
    console.log('\ngrowth of the median time (linear: time ratio = size ratio)');
    const first = result.growth[grown[0]]!;
    const g = [['variant', ...first.map((x) => `t(${fmtN(x.to)})/t(${fmtN(x.from)})`), ...first.map(() => 'cpu'), ...result.results.map((r) => `ms/svc @${fmtN(r.n)}`)]];
    for (const variant of grown) {
      const perService = result.results.map((r) => {
        const v = variant === 'python' ? result.python?.results.find((p) => p.n === r.n)?.fleet : r.variants[variant];
        return v ? (v.medianMs / r.n).toFixed(2) : '-';
      });
      g.push([variant, ...result.growth[variant]!.map((x) => `${x.timeRatio.toFixed(2)} (x${x.sizeRatio.toFixed(1)})`),
        ...result.growth[variant]!.map((x) => x.cpuRatio.toFixed(2)), ...perService]);
    }
    console.log(table(g));
  }
  if (result.python) reportPython(result);
  if (result.helm) reportHelm(result);
  if (result.cold) reportCold(result);
  console.log('\ntargets (issue 22)');
  if (!result.targets.length) console.log('  none judged by this run (sizes or parts)');
  for (const t of result.targets) console.log(formatTarget(t));
}

function reportPython(result: BenchResult): void {
  const py = result.python!;
  console.log('\nPython (the same fleet through the wheel, bench/python/fleet.py; judged timed region: AiApp(outdir), build, app.synth() to ' +
    'files as `cdk8s synth` runs it, against the TypeScript fleet timed the same way)');
  if (py.error) console.log(`  FAILED: ${py.error.split('\n').slice(0, 8).join('\n  ')}`);
  if (!py.results.length) return;
  const rows = [['N', 'TypeScript', 'Python', 'Python/TS', 'cpu P/TS', 'Python CPU', 'runtime CPU', 'start-up', 'start-up CPU', 'process', 'RSS py+runtime', 'same bytes']];
  for (const p of py.results) {
    const ts = result.results.find((r) => r.n === p.n)!.variants.oursFiles!;
    rows.push([fmtN(p.n), fmtMs(ts.medianMs), fmtMs(p.fleet.medianMs), p.ratio.toFixed(2), p.cpuRatio.toFixed(2), fmtMs(p.fleet.medianPythonCpuMs),
      fmtMs(p.fleet.medianRuntimeCpuMs), fmtMs(p.startup.medianMs), fmtMs(p.startup.medianCpuMs), fmtMs(p.processMedianMs),
      `${fmtMb(p.fleet.maxPeakRssBytes)}+${fmtMb(p.fleet.maxRuntimePeakRssBytes)}`, p.sameBytesAsTypeScript ? 'yes' : 'NO']);
  }
  console.log(table(rows));
  const alt = [['N', 'measured', 'TypeScript', 'Python', 'Python/TS', 'cpu P/TS', 'RSS py+runtime', 'same bytes']];
  for (const p of py.results) {
    const ts = result.results.find((r) => r.n === p.n)!.variants;
    for (const a of Object.values(p.alternatives ?? {})) {
      alt.push([fmtN(p.n), a.what, fmtMs(ts[a.against]!.medianMs), fmtMs(a.fleet.medianMs), a.ratio.toFixed(2), a.cpuRatio.toFixed(2),
        `${fmtMb(a.fleet.maxPeakRssBytes)}+${fmtMb(a.fleet.maxRuntimePeakRssBytes)}`, a.sameBytesAsTypeScript ? 'yes' : 'NO']);
    }
  }
  if (alt.length > 1) {
    console.log('\nthe same fleet measured other ways (each against TypeScript measured the same way; not judged):');
    console.log(table(alt));
  }
  const starts = py.results.filter((p) => p.startup.phasesMs).map((p) => `N=${fmtN(p.n)}: ${fmtMs(p.startup.phasesMs!.jsii)} + ` +
    `${fmtMs(p.startup.phasesMs!.cdk8s)} + ${fmtMs(p.startup.phasesMs!.cdk8sAi)}` +
    ` (assembly loads in the runtime: ${Object.entries(p.startup.assemblyLoadMs ?? {}).map(([k, v]) => `${k} ${fmtMs(v)}`).join(', ')})`);
  if (starts.length) {
    console.log('start-up split (import jsii + from cdk8s import App, which starts the jsii runtime and loads constructs and cdk8s ' +
      `+ import cdk8s_ai, which loads cdk8s-plus-28 and cdk8s-ai): ${starts.join('; ')}`);
  }
  const phases = [['N', 'TS build', 'TS synth', 'Python build', 'Python synth', 'build P/TS', 'synth P/TS', 'build CPU P/TS', 'synth CPU P/TS']];
  for (const p of py.results) {
    const ts = result.results.find((r) => r.n === p.n)!.variants.oursFiles!;
    const f = p.fleet;
    if (ts.medianBuildMs === undefined || f.medianBuildMs === undefined) continue;
    const [tb, ts2, pb, ps] = [ts.medianBuildMs, ts.medianMs - ts.medianBuildMs, f.medianBuildMs, f.medianMs - f.medianBuildMs];
    const [tbc, pbc] = [ts.medianBuildCpuMs!, f.medianBuildCpuMs!];
    const [tsc, psc] = [ts.medianCpuMs - tbc, f.medianCpuMs - pbc];
    phases.push([fmtN(p.n), fmtMs(tb), fmtMs(ts2), fmtMs(pb), fmtMs(ps), (pb / tb).toFixed(2), (ps / ts2).toFixed(2),
      (pbc / tbc).toFixed(2), (psc / tsc).toFixed(2)]);
  }
  if (phases.length > 1) {
    console.log('\nphases of the judged timed region (build: AiApp() and the constructs; synth: app.synth() to the files)');
    console.log(table(phases));
  }
  console.log('(Python/TS: median wall time of the timed region (AiApp, build, synth() to files); "cpu": its CPU time in the Python process plus the jsii runtime ' +
    '(Node.js children) over TypeScript\'s. start-up: `import cdk8s, cdk8s_ai` = interpreter modules + jsii runtime start + ' +
    'loading the constructs, cdk8s, cdk8s-plus-28 and cdk8s-ai assemblies, outside the timed region. process: the whole ' +
    'process as the runner saw it.)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { crossingsReport } = require('./python') as typeof import('./python');
  const crossings = crossingsReport(py.results);
  if (crossings) console.log(`\n${crossings}`);
}

function reportHelm(result: BenchResult): void {
  const h = result.helm!;
  console.log(`\nhelm peer: ${h.version}, ${h.chart}; ${h.mode}`);
  if (h.error) console.log(`  FAILED: ${h.error.split('\n').slice(0, 8).join('\n  ')}`);
  if (h.results.length) {
    const rows = [['N', 'releases', 'helm objects', 'helm bytes', 'helm wall', 'helm CPU', 'helm RSS (1 proc)', 'ours objects', 'ours', 'ours CPU', 'ours/helm', 'cpu o/h']];
    for (const x of h.results) {
      const ours = result.results.find((r) => r.n === x.n)!;
      rows.push([fmtN(x.n), fmtN(x.releases), fmtN(x.objects), fmtN(x.bytes), fmtMs(x.wallMs), fmtMs(x.cpuMs), fmtMb(x.maxRssBytes),
        fmtN(ours.objects), fmtMs(ours.variants.ours.medianMs), fmtMs(ours.variants.ours.medianCpuMs),
        x.oursToHelm.toFixed(2), x.oursToHelmCpu.toFixed(2)]);
    }
    console.log(table(rows));
  }
  const kinds = [...new Set([...Object.keys(h.kinds.helmRelease), ...Object.keys(h.kinds.ourService)])].sort();
  if (kinds.length) {
    console.log('\nobject kinds: one helm release vs one of our services (its share of the fleet, without tenant and platform objects)');
    console.log(table([['kind', 'helm release', 'our service'], ...kinds.map((k) => [k, String(h.kinds.helmRelease[k] ?? '-'), String(h.kinds.ourService[k] ?? '-')]),
      ['total', String(Object.values(h.kinds.helmRelease).reduce((a, b) => a + b, 0)), String(Object.values(h.kinds.ourService).reduce((a, b) => a + b, 0))]]));
  }
}

function reportCold(result: BenchResult): void {
  const c = result.cold!;
  console.log(`\ntime to first YAML: the example platform from a cold process, ${result.config.coldReps} repetition(s), median`);
  if (c.error) console.log(`  FAILED: ${c.error.split('\n').slice(0, 8).join('\n  ')}`);
  if (c.results.length) {
    console.log(table([['command', 'wall', 'CPU', 'peak RSS (1 proc)', 'files', 'objects', 'bytes'],
      ...c.results.map((x) => [x.name, fmtMs(x.wallMs), fmtMs(x.cpuMs), fmtMb(x.maxRssBytes), String(x.files), fmtN(x.objects), fmtN(x.bytes)])]));
    console.log('(helm renders only the routing of the example\'s two InferencePools: its endpoint pickers, pools and one HTTPRoute, ' +
      'not the weighted split, the model servers, tenants, training, evals or policies.)');
  }
  if (c.problems.length) console.log(`  the outputs differ from the TypeScript cdk8s synth:\n  ${c.problems.join('\n  ')}`);
  else if (c.results.length) console.log('TypeScript and Python write byte-identical files.');
}

export function compare(result: BenchResult, file: string): void {
  const before = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;
  if (before.schema !== SCHEMA) console.log(`\nnote: ${file} has schema ${before.schema}, this run ${SCHEMA}`);
  console.log(`\ncompared with ${path.relative(process.cwd(), file)} (${before.date}${before.git ? `, ${before.git.commit.slice(0, 10)}${before.git.dirty ? '+dirty' : ''}` : ''})`);
  const pct = (now: number, then: number) => `${now >= then ? '+' : ''}${((now / then - 1) * 100).toFixed(1)}%`;
  const ratio = (x?: number) => (x === undefined ? '-' : x.toFixed(2));
  const rows = [['N', 'ours then', 'ours now', 'change', 'cpu o/raw then', 'now', 'cpu o/floor then', 'now', 'RSS then', 'RSS now', 'same objects']];
  for (const r of result.results) {
    const b = before.results.find((x) => x.n === r.n);
    if (!b) continue;
    rows.push([fmtN(r.n), fmtMs(b.variants.ours.medianMs), fmtMs(r.variants.ours.medianMs), pct(r.variants.ours.medianMs, b.variants.ours.medianMs),
      ratio(b.cpuRatios?.oursToBaseline), ratio(r.cpuRatios?.oursToBaseline), ratio(b.cpuRatios?.oursToFloor), ratio(r.cpuRatios?.oursToFloor),
      fmtMb(b.variants.ours.maxPeakRssBytes), fmtMb(r.variants.ours.maxPeakRssBytes),
      b.objects === r.objects && b.bytes === r.bytes ? (b.variants.ours.sha256 === r.variants.ours.sha256 ? 'yes, same bytes' : 'same counts') : 'NO (fleet changed)']);
  }
  if (rows.length === 1) console.log('  no fleet size in common');
  else console.log(table(rows));
  const other = [['N', 'Python/TS then', 'now', 'cpu then', 'now', 'start-up then', 'now', 'ours/helm cpu then', 'now']];
  for (const r of result.results) {
    const [pb, pn] = [before.python?.results.find((x) => x.n === r.n), result.python?.results.find((x) => x.n === r.n)];
    const [hb, hn] = [before.helm?.results.find((x) => x.n === r.n), result.helm?.results.find((x) => x.n === r.n)];
    if (!(pb && pn) && !(hb && hn)) continue;
    other.push([fmtN(r.n), ratio(pb?.ratio), ratio(pn?.ratio), ratio(pb?.cpuRatio), ratio(pn?.cpuRatio),
      pb ? fmtMs(pb.startup.medianMs) : '-', pn ? fmtMs(pn.startup.medianMs) : '-', ratio(hb?.oursToHelmCpu), ratio(hn?.oursToHelmCpu)]);
  }
  if (other.length > 1) console.log(`\n${table(other)}`);
  console.log('(times from different runs differ with machine load; the ratios, measured within each run, compare better)');
}
