/**
 * A model server's command-line flags at one pinned release, read from its source at that release, so synth can
 * refuse a flag the pinned server does not have (a typo or a flag of another release would otherwise only show up
 * as a crash-looping pod). test/serving/engine-flags-upstream.test.ts downloads each distribution named here from
 * PyPI (checked against its sha256, cached under ~/.cache/cdk8s-ai/upstream) and re-derives the table.
 */
export interface EngineFlagTable {
  /** The engine's display name, e.g. `vLLM`. */
  readonly engine: string;
  /** The release the table was read from, e.g. `0.25.1` (image tags `v0.25.1` / `0.25.1` name the same release). */
  readonly version: string;
  /** The PyPI file the table was read from. */
  readonly distribution: { readonly file: string; readonly url: string; readonly sha256: string };
  /** The upstream files (paths in the project's repository) whose argparse registrations the table lists. */
  readonly sources: readonly string[];
  /**
   * How the server's parser reads a flag before matching it:
   * - `flexible`: vLLM's FlexibleArgumentParser (vllm/utils/argparse_utils.py `parse_args`): underscores in a long
   *   flag's name become dashes, `--name.key value` sets a key of the JSON flag `--name`, `-O<n>`/`-O <n>` is
   *   `--optimization-level`;
   * - `argparse`: plain argparse (`--name=value` or `--name value`).
   */
  readonly parser: 'flexible' | 'argparse';
  /** Every option string the parser registers (long, short and `--no-` forms), sorted. */
  readonly flags: readonly string[];
}

/** A flag the table does not know, and the nearest one it does. */
export interface UnknownFlag {
  readonly flag: string;
  readonly nearest?: string;
}

/**
 * The flag names in `args` as the table's parser reads them: arguments that start with `-` and are not negative
 * numbers (a value such as `--seed -1`), without `=value`, normalized the way the parser does.
 */
export function flagsIn(table: EngineFlagTable, args: readonly string[]): { written: string; name: string }[] {
  const out: { written: string; name: string }[] = [];
  for (const arg of args) {
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg) || /^-\.\d/.test(arg)) continue;
    const written = arg.split('=')[0];
    let name = written;
    if (table.parser === 'flexible') {
      if (name.startsWith('--')) name = `--${name.slice(2).split('.')[0].replace(/\+$/, '').replace(/_/g, '-')}`;
      else if (name === '-O' || /^-O./.test(name)) name = '--optimization-level';
    }
    out.push({ written, name });
  }
  return out;
}

/**
 * The flags of `args` the pinned release does not register. Abbreviations that argparse would expand are refused
 * too: a full name keeps the command line readable and stable when a later release adds a flag with the same prefix.
 */
export function unknownFlags(table: EngineFlagTable, args: readonly string[]): UnknownFlag[] {
  const known = knownFlags(table);
  return flagsIn(table, args)
    .filter((f) => !known.has(f.name))
    .map((f) => ({ flag: f.written, nearest: nearestFlag(table, f.name) }));
}

/** Each table's flags as a set, built once (every service of a fleet checks its command line against it). */
const KNOWN_FLAGS = new WeakMap<EngineFlagTable, ReadonlySet<string>>();

function knownFlags(table: EngineFlagTable): ReadonlySet<string> {
  let known = KNOWN_FLAGS.get(table);
  if (!known) {
    known = new Set(table.flags);
    KNOWN_FLAGS.set(table, known);
  }
  return known;
}

/** The known flag closest to `flag` (a flag it abbreviates, else the smallest edit distance within reason). */
export function nearestFlag(table: EngineFlagTable, flag: string): string | undefined {
  const prefixed = table.flags.filter((f) => f.startsWith(flag) && flag.length >= 4);
  if (prefixed.length) return prefixed.sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
  const allowed = Math.max(3, Math.floor(flag.length / 3));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of table.flags) {
    if (Math.abs(candidate.length - flag.length) >= bestDistance) continue;
    const d = editDistance(flag, candidate, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, row[j]);
    }
    if (rowMin >= limit) return limit;
    prev = row;
  }
  return prev[b.length];
}

/**
 * Whether `image` runs the release of `table`: the pinned image, a digest or an image without a version tag (a
 * mirror of the pinned one) do; an image whose tag names another version (`:v0.26.0`, `:0.5.17-cu129`) does not,
 * and then the table does not apply.
 */
export function imageRunsTable(table: EngineFlagTable, image: string): boolean {
  const ref = image.split('@')[0];
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= lastSlash) return true;
  const tag = ref.slice(colon + 1);
  const version = /^v?(\d+\.\d+(?:\.\d+)?(?:\.post\d+)?)/.exec(tag);
  return !version || version[1] === table.version;
}
