/**
 * The shape of src/ (docs/architecture.md): layers that import only downwards, workloads that never import each
 * other, no import circles (type-only imports included) and no file over 600 lines. The layer and circle rules live
 * in .dependency-cruiser.cjs and are checked by dependency-cruiser itself; the last test shows the rules can fail.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const MAX_LINES = 600;

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
  readonly cycle?: { readonly name: string }[];
}

function cruise(cwd: string): { violations: Violation[]; modules: number } {
  const out = execFileSync(DEPCRUISE, ['--config', CONFIG, '--output-type', 'json', 'src'], {
    cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const result = JSON.parse(out);
  return { violations: result.summary.violations, modules: result.summary.totalCruised };
}

function describeViolation(v: Violation): string {
  const cycle = v.cycle?.length ? ` (cycle: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${cycle}`;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink()) return [];
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('the architecture of src/', () => {
  test('every import goes down the layers, between no two workloads, and in no circle', () => {
    const { violations, modules } = cruise(ROOT);
    expect(modules).toBeGreaterThan(100);
    expect(violations.map(describeViolation)).toEqual([]);
  });

  test(`no source file is over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(path.join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((f) => ({ file: path.relative(ROOT, f), lines: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  test('the rules catch an upward import, a workload importing another, and a circle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-layers-'));
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      };
      write('src/internal/names.ts', "import { tenant } from '../platform/tenant';\nexport const names = tenant;\n");
      write('src/platform/tenant.ts', 'export const tenant = 1;\n');
      write('src/serving/service.ts', "import { job } from '../training/job';\nexport const service = job;\n");
      write('src/training/job.ts', 'export const job = 1;\n');
      write('src/accelerators/a.ts', "import type { B } from './b';\nexport interface A { readonly b?: B }\n");
      write('src/accelerators/b.ts', "import type { A } from './a';\nexport interface B { readonly a?: A }\n");
      const rules = cruise(dir).violations.map((v) => `${v.rule.name}: ${v.from}`).sort();
      expect(rules).toEqual([
        'layer-internal: src/internal/names.ts',
        'layer-serving: src/serving/service.ts',
        'no-circular: src/accelerators/a.ts',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
