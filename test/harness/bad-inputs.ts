/**
 * The bad-input catalogue: a table of invalid props, each with the error it
 * must produce. For every row one jest test builds a fresh cdk8s App (outdir:
 * a new temp dir), expects building + `app.synth()` to throw an error whose
 * message matches, and expects no file at all to be written to the outdir.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';

export interface BadInputRow {
  /** Test name. */
  readonly name: string;
  /** Adds the invalid construct(s) to `scope` (a Chart by default). */
  readonly build: (scope: Construct) => void;
  /** Expected error: a substring of the message, or a RegExp tested against it. */
  readonly error: RegExp | string;
}

export interface BadInputOptions {
  /** Creates the scope a row builds into (default: `new Chart(app, 'bad-input')`). */
  readonly scope?: (app: App) => Construct;
  /** Title of the describe block (default `bad inputs`). */
  readonly title?: string;
}

/** Every file under `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full).map((f) => path.join(e.name, f)) : [e.name];
  });
}

/** Builds and synthesizes one row; returns the thrown error (or undefined) and the files written. */
export function runBadInput(row: BadInputRow, options: BadInputOptions = {}): { error: unknown; files: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-bad-input-'));
  try {
    let error: unknown;
    try {
      const app = new App({ outdir });
      const scope = options.scope ? options.scope(app) : new Chart(app, 'bad-input');
      row.build(scope);
      app.synth();
    } catch (err) {
      error = err;
    }
    return { error, files: filesUnder(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Declares one jest test per row (call it at the top level of a test file or inside a describe). */
export function badInputCatalogue(rows: readonly BadInputRow[], options: BadInputOptions = {}): void {
  const names = rows.map((r) => r.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new Error(`badInputCatalogue: duplicate row name '${duplicate}'`);
  }
  describe(options.title ?? 'bad inputs', () => {
    test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
      const { error, files } = runBadInput(row, options);
      if (error === undefined) {
        throw new Error(`expected building + synth to throw ${String(row.error)}, but it succeeded`);
      }
      const message = messageOf(error);
      if (typeof row.error === 'string') {
        expect(message).toContain(row.error);
      } else {
        expect(message).toMatch(row.error);
      }
      expect(files).toEqual([]);
    });
  });
}
