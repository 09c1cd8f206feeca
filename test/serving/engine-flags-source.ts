/**
 * Fetches a pinned engine's source from PyPI into ~/.cache/cdk8s-ai/upstream (never into the repository) and
 * re-derives its command-line flag table by reading the argparse registrations in the files the table names. Shared
 * by test/serving/engine-flags-upstream.test.ts (and usable to regenerate a table: see printTable).
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { EngineFlagTable } from '../../src/serving/engines/flag-table';

export const CACHE = process.env.CDK8S_AI_UPSTREAM_CACHE ?? path.join(os.homedir(), '.cache', 'cdk8s-ai', 'upstream');

/** Downloads the table's distribution file (checked against its sha256) unless the cache has it; returns its path. */
export async function fetchDistribution(table: EngineFlagTable): Promise<string> {
  const file = path.join(CACHE, table.distribution.file);
  if (fs.existsSync(file) && sha256(fs.readFileSync(file)) === table.distribution.sha256) return file;
  fs.mkdirSync(CACHE, { recursive: true });
  const res = await fetch(table.distribution.url);
  if (!res.ok) throw new Error(`GET ${table.distribution.url}: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const got = sha256(body);
  if (got !== table.distribution.sha256) throw new Error(`${table.distribution.file}: sha256 ${got}, table says ${table.distribution.sha256}`);
  fs.writeFileSync(`${file}.part`, body);
  fs.renameSync(`${file}.part`, file);
  return file;
}

function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/**
 * The folder the distribution's Python files are unpacked into (in the cache), unpacked on first use. Paths inside
 * it are the archive's member paths (`vllm-0.25.1/vllm/...` for an sdist, `sglang/...` for a wheel).
 */
export function unpacked(archive: string): string {
  const dir = path.join(CACHE, 'src', path.basename(archive).replace(/\.(tar\.gz|whl)$/, ''));
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (archive.endsWith('.tar.gz')) {
    execFileSync('tar', ['-xzf', archive, '-C', dir, '--strip-components=1', '--wildcards', '*.py']);
  } else {
    const zip = fs.readFileSync(archive);
    for (const e of zipEntries(zip).filter((x) => x.name.endsWith('.py'))) {
      const out = path.join(dir, e.name);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, readZipMember(zip, e.name));
    }
  }
  fs.writeFileSync(done, '');
  return dir;
}

/** The text of `member` inside a .tar.gz (through `tar`) or a wheel (zip, read here). */
export function readMember(archive: string, member: string): string {
  if (archive.endsWith('.tar.gz')) {
    return execFileSync('tar', ['-xzOf', archive, member], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
  }
  return readZipMember(fs.readFileSync(archive), member).toString('utf8');
}

/** Lists the members of a .tar.gz or wheel. */
export function listMembers(archive: string): string[] {
  if (archive.endsWith('.tar.gz')) {
    return execFileSync('tar', ['-tzf', archive], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8').split('\n').filter(Boolean);
  }
  return zipEntries(fs.readFileSync(archive)).map((e) => e.name);
}

interface ZipEntry { name: string; method: number; compressedSize: number; localOffset: number }

function zipEntries(zip: Buffer): ZipEntry[] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    out.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      localOffset: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function readZipMember(zip: Buffer, member: string): Buffer {
  const e = zipEntries(zip).find((x) => x.name === member);
  if (!e) throw new Error(`${member} not in the archive`);
  const start = e.localOffset + 30 + zip.readUInt16LE(e.localOffset + 26) + zip.readUInt16LE(e.localOffset + 28);
  const data = zip.subarray(start, start + e.compressedSize);
  return e.method === 0 ? data : zlib.inflateRawSync(data);
}

// ---------------------------------------------------------------------------------------------------------------
// A small Python reader: enough to find calls and bracketed expressions without being fooled by strings/comments.
// ---------------------------------------------------------------------------------------------------------------

/** The index just past the bracket that closes the one at `open` (strings and comments skipped). */
export function closeOf(src: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < src.length) {
    const c = src[i];
    if (c === '#') {
      i = src.indexOf('\n', i);
      if (i < 0) return src.length;
      continue;
    }
    if (c === '"' || c === '\'') {
      i = skipString(src, i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

function skipString(src: string, i: number): number {
  const q = src[i];
  const triple = src.startsWith(q.repeat(3), i);
  const end = triple ? q.repeat(3) : q;
  let j = i + end.length;
  while (j < src.length) {
    if (src[j] === '\\') {
      j += 2;
      continue;
    }
    if (src.startsWith(end, j)) return j + end.length;
    if (!triple && src[j] === '\n') return j;
    j++;
  }
  return j;
}

/** Top-level comma-separated parts of the inside of a bracketed expression `src[open..close)`. */
export function splitArgs(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length;) {
    const c = inner[i];
    if (c === '#') {
      const nl = inner.indexOf('\n', i);
      i = nl < 0 ? inner.length : nl;
      continue;
    }
    if (c === '"' || c === '\'') {
      i = skipString(inner, i);
      continue;
    }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  parts.push(inner.slice(start).trim());
  return parts.filter(Boolean);
}

/** The string literal `part` is (`"--x"` or `'--x'`), or undefined. */
function literal(part: string): string | undefined {
  const m = /^(?:"([^"]*)"|'([^']*)')$/.exec(part);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Every `<receiver>.add_argument(...)` call in `src`: its flag names and its remaining arguments. */
export function addArgumentCalls(src: string): { names: string[]; rest: string[] }[] {
  const out: { names: string[]; rest: string[] }[] = [];
  for (const m of src.matchAll(/\.add_argument\(/g)) {
    const open = m.index! + m[0].length - 1;
    const parts = splitArgs(src.slice(open + 1, closeOf(src, open) - 1));
    const names = parts.map(literal).filter((s): s is string => s !== undefined && s.startsWith('-'));
    out.push({ names, rest: parts.filter((p) => !names.includes(literal(p) ?? '')) });
  }
  return out;
}

/** The body of top-level `class <name>` (to the next top-level statement). */
export function classBody(src: string, name: string): string {
  const start = new RegExp(`^class ${name}\\b[^\\n]*:\\n`, 'm').exec(src);
  if (!start) throw new Error(`class ${name} not found`);
  const from = start.index + start[0].length;
  const next = /^\S/m.exec(src.slice(from).replace(/("""|''')[\s\S]*?\1/g, (s) => s.replace(/\n(?=\S)/g, '\n ')));
  return src.slice(from, next ? from + next.index : src.length);
}

/** Annotated fields of a dataclass body (4-space indent): name and annotation text. */
export function dataclassFields(body: string): { name: string; annotation: string }[] {
  const out: { name: string; annotation: string }[] = [];
  const blanked = body.replace(/("""|''')[\s\S]*?\1/g, (s) => s.replace(/[^\n]/g, ' '));
  for (const m of blanked.matchAll(/^ {4}(\w+): /gm)) {
    const start = m.index! + m[0].length;
    let end = start;
    // The annotation runs to `=` or the end of the line at bracket depth 0.
    while (end < body.length && body[end] !== '\n' && body[end] !== '=') {
      if ('([{'.includes(body[end])) end = closeOf(body, end);
      else end++;
    }
    out.push({ name: m[1], annotation: body.slice(start, end).trim() });
  }
  return out;
}

/** Sorted, deduplicated. */
export function sorted(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

/** Prints a table's flag list as TypeScript (to regenerate a table module by hand). */
export function printTable(flags: string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const f of flags) {
    const item = `'${f}', `;
    if (line.length + item.length > 118) {
      lines.push(`    ${line.trimEnd()}`);
      line = '';
    }
    line += item;
  }
  if (line) lines.push(`    ${line.trimEnd()}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// vLLM: `vllm serve` = vllm/entrypoints/openai/cli_args.py make_arg_parser (its own flags, FrontendArgs fields),
// then vllm/engine/arg_utils.py EngineArgs.add_cli_args + AsyncEngineArgs.add_cli_args.
// ---------------------------------------------------------------------------------------------------------------

/** vllm/engine/arg_utils.py `_compute_kwargs`: a field whose type contains bool (other than `bool | str | None`) gets BooleanOptionalAction. */
function vllmNegatable(annotation: string): boolean {
  const types = annotation.replace(/\s/g, '').split('|').sort().join('|');
  if (types === 'None|bool|str' || /^(Optional\[)?(Union\[)?bool,str/.test(types)) return false;
  return /\bbool\b/.test(annotation);
}

/** Every `.py` file under `dir`. */
function pyFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return pyFiles(p);
    return e.name.endsWith('.py') ? [p] : [];
  });
}

/** The option strings of `vllm serve` at the release unpacked in `root` (…/vllm-<version>). */
export function deriveVllm(root: string): string[] {
  const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
  const configFiles = pyFiles(path.join(root, 'vllm/config')).map((f) => fs.readFileSync(f, 'utf8'));
  const classFields = (cls: string, extra: string[] = []) => {
    const src = [...configFiles, ...extra].find((s) => new RegExp(`^class ${cls}\\b`, 'm').test(s));
    if (!src) throw new Error(`class ${cls} not found`);
    return dataclassFields(classBody(src, cls));
  };
  const out: string[] = [];
  const fromCalls = (src: string, kwargsOf: Map<string, string>) => {
    for (const call of addArgumentCalls(src)) {
      out.push(...call.names);
      const long = call.names.find((n) => n.startsWith('--'));
      if (!long) continue;
      let negatable = call.rest.some((r) => /^action=argparse\.BooleanOptionalAction$/.test(r));
      // `**x_kwargs["field"]`, also inside a merged dict (`**{**x_kwargs["field"], "default": None}`).
      const spread = call.rest.map((r) => /\*\*(\w+_kwargs)\["(\w+)"\]/.exec(r)).find(Boolean);
      if (spread) {
        const cls = kwargsOf.get(spread[1]);
        if (!cls) throw new Error(`${spread[1]}: no get_kwargs() assignment`);
        const field = classFields(cls, [read('vllm/engine/arg_utils.py')]).find((f) => f.name === spread[2]);
        if (!field) throw new Error(`${cls}.${spread[2]} not found`);
        negatable ||= vllmNegatable(field.annotation) && !call.rest.some((r) => r.startsWith('action=') || /["']action["']\s*:/.test(r));
      }
      if (negatable) out.push(`--no-${long.slice(2)}`);
    }
  };
  // cli_args.py: make_arg_parser's own flags, then the frontend dataclass fields (`--<field>`).
  const cliArgs = read('vllm/entrypoints/openai/cli_args.py');
  const make = cliArgs.slice(cliArgs.indexOf('def make_arg_parser'), cliArgs.indexOf('def validate_parsed_serve_args'));
  fromCalls(make, new Map());
  for (const cls of ['BaseFrontendArgs', 'FrontendArgs']) {
    for (const f of dataclassFields(classBody(cliArgs, cls))) {
      const flag = `--${f.name.replace(/_/g, '-')}`;
      out.push(flag);
      // _customize_cli_kwargs gives lora_modules a custom action; no other frontend bool is customized.
      if (vllmNegatable(f.annotation)) out.push(`--no-${flag.slice(2)}`);
    }
  }
  // arg_utils.py: EngineArgs.add_cli_args and AsyncEngineArgs.add_cli_args.
  const argUtils = read('vllm/engine/arg_utils.py');
  const kwargsOf = new Map([...argUtils.matchAll(/(\w+_kwargs) = get_kwargs\((\w+)\)/g)].map((m) => [m[1], m[2]]));
  const methods = [...argUtils.matchAll(/^ {4}def add_cli_args\(/gm)].map((m) => {
    const next = /^ {4}(?:def |@)/m.exec(argUtils.slice(m.index! + 10));
    return argUtils.slice(m.index!, next ? m.index! + 10 + next.index : undefined);
  });
  if (methods.length !== 2) throw new Error(`expected EngineArgs and AsyncEngineArgs add_cli_args, found ${methods.length}`);
  for (const m of methods) fromCalls(m, kwargsOf);
  return sorted(out);
}

// ---------------------------------------------------------------------------------------------------------------
// SGLang: `python3 -m sglang.launch_server` = sglang/srt/server_args.py prepare_server_args: ServerArgs.add_cli_args,
// which registers every `A[T, ...]` field of ServerArgs (sglang/srt/arg_groups/arg_utils.py
// add_cli_args_from_dataclass) and then its manual add_argument calls.
// ---------------------------------------------------------------------------------------------------------------

/** The option strings of SGLang's server at the release unpacked in `root` (the wheel's top level). */
export function deriveSglang(root: string): string[] {
  const src = fs.readFileSync(path.join(root, 'sglang/srt/server_args.py'), 'utf8');
  const out: string[] = [];
  for (const f of dataclassFields(classBody(src, 'ServerArgs'))) {
    if (!/^(A|Annotated)\[/.test(f.annotation)) continue; // add_cli_args_from_dataclass skips plain annotations
    const parts = splitArgs(f.annotation.slice(f.annotation.indexOf('[') + 1, -1));
    const meta = parts.slice(1).find((p) => p.startsWith('Arg('));
    if (!meta && !parts.slice(1).some((p) => /^["']/.test(p) || /^\(\s*["']/.test(p))) continue;
    const kw = new Map((meta ? splitArgs(meta.slice(4, -1)) : []).map((p) => {
      const eq = p.indexOf('=');
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as [string, string];
    }));
    if (kw.get('no_cli') === 'True') continue;
    const cliName = kw.has('cli_name') ? JSON.parse(kw.get('cli_name')!.replace(/'/g, '"')) : `--${f.name.replace(/_/g, '-')}`;
    const aliases: string[] = kw.has('aliases') ? JSON.parse(kw.get('aliases')!.replace(/'/g, '"')) : [];
    out.push(cliName, ...aliases);
    if (/BooleanOptionalAction/.test(kw.get('action') ?? '')) out.push(...[cliName, ...aliases].filter((n) => n.startsWith('--')).map((n) => `--no-${n.slice(2)}`));
  }
  const start = src.indexOf('    def add_cli_args(parser');
  if (start < 0) throw new Error('ServerArgs.add_cli_args not found');
  const next = /^ {4}(?:def |@)/m.exec(src.slice(start + 10));
  for (const call of addArgumentCalls(src.slice(start, next ? start + 10 + next.index : undefined))) {
    out.push(...call.names);
    if (call.rest.some((r) => /BooleanOptionalAction/.test(r))) {
      out.push(...call.names.filter((n) => n.startsWith('--')).map((n) => `--no-${n.slice(2)}`));
    }
  }
  return sorted(out);
}
