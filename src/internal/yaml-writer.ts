/**
 * A fast YAML writer that writes exactly the bytes cdk8s's `Yaml.stringify` writes, for plain JSON documents.
 *
 * cdk8s (2.70) serialises every document with its bundled `yaml` library:
 * `YAML.stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' })`, joined with `---\n`. That builds a
 * full YAML node tree per document (most of synth's time and garbage). This writer emits block mappings and sequences
 * of plain JSON values directly, with the same indentation, the same flow forms for empty collections (`{}`, `[]`),
 * and the same choice between plain, single-quoted and double-quoted scalars: a string is quoted when the library's
 * own plain-scalar rule or any of its YAML 1.1 schema tags (numbers, booleans such as `yes`/`on`/`y`, null, `~`,
 * timestamps, sexagesimal and octal numbers, `1_000`, ...) would read it as something else; the tag tests are taken
 * from the library's schema at run time, not copied.
 *
 * Anything outside that fast path makes the whole document go through the library itself, so the bytes are always
 * the library's: multi-line keys, multi-line strings with keep chomping (`|+`) or trailing blank lines, control
 * characters, unpaired surrogates, the merge key `<<`, keys longer than the library's implicit-key limit, the
 * same object or array twice in a document (the library writes anchors and aliases), and any value that is not a
 * string, number, boolean, null, undefined, plain object or array (Dates, Maps, class instances, `toJSON`, BigInt).
 *
 * No domain knowledge: any JSON in, YAML out. test/internal/yaml-writer.test.ts proves the byte identity.
 */
import * as path from 'node:path';

/** What this writer uses of the `yaml` module cdk8s bundles. */
interface YamlModule {
  Document: new (value: unknown, options: object) => { schema: { tags: readonly YamlTag[]; compat?: readonly YamlTag[] | null } };
  stringify(value: unknown, options: object): string;
}

interface YamlTag {
  readonly default?: boolean | string;
  readonly tag: string;
  readonly test?: RegExp;
}

/** The options cdk8s's `Yaml.stringify` passes for every document (node_modules/cdk8s/lib/yaml.js). */
export const CDK8S_YAML_OPTIONS = Object.freeze({ keepUndefined: true, lineWidth: 0, version: '1.1' });

let yamlModule: YamlModule | undefined;
let tagTest: RegExp | undefined;

/**
 * The `yaml` module cdk8s itself loads: resolved from cdk8s's own folder, so it is the copy cdk8s bundles whatever
 * else is installed (and the same module instance, from Node's module cache).
 */
export function cdk8sYaml(): YamlModule {
  if (!yamlModule) {
    const cdk8sDir = path.dirname(require.resolve('cdk8s'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    yamlModule = require(require.resolve('yaml', { paths: [cdk8sDir] })) as YamlModule;
  }
  return yamlModule;
}

/**
 * The test the library runs before writing a string plain: does any default, non-string tag of the schema cdk8s's
 * options select (with its compat tags) read it as something else (`plainString` in yaml/dist/stringify/
 * stringifyString.js). The tags' own regular expressions, taken from the library at run time and joined into one
 * alternation (each is anchored at both ends), or tried one by one if their flags differ.
 */
function schemaTagTest(): RegExp {
  if (!tagTest) {
    const schema = new (cdk8sYaml().Document)(null, CDK8S_YAML_OPTIONS).schema;
    const tests = [...schema.tags, ...(schema.compat ?? [])]
      .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test)
      .map((t) => t.test!);
    const flags = new Set(tests.map((t) => t.flags));
    tagTest = flags.size === 1 && !tests[0].global && !tests[0].sticky
      ? new RegExp(tests.map((t) => `(?:${t.source})`).join('|'), tests[0].flags)
      : { test: (value: string) => tests.some((t) => t.test(value)) } as RegExp;
  }
  return tagTest;
}

/** Thrown inside the fast path when a document needs the library; never escapes this module. */
const FALLBACK = new Error('yaml-writer: fall back to the yaml library');

/** Characters the library always writes double-quoted (its `stringifyString`). */
const FORCE_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** Strings the library cannot write plain (its `plainString`, for a single-line string in block context). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Lines the library treats as document markers (its `containsDocumentMarker`): a key's form depends on its depth. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** The library writes a key longer than this as an explicit key (`? key`). */
const MAX_IMPLICIT_KEY = 1024;

/**
 * Writes documents one at a time, with a cache of rendered strings shared by every document it writes (the same
 * names, labels and images recur across a platform's documents). Use one writer per synth.
 *
 * Each document is collected as pieces and joined once, so it is one flat string: text built by `+=` stays a tree of
 * millions of small pieces until something flattens it, several times the size of the text itself.
 */
export class YamlWriter {
  private readonly scalars = new Map<string, string>();
  private readonly tagTest = schemaTagTest();
  private seen = new Set<object>();
  private out: string[] = [];

  /**
   * One document, exactly as cdk8s's `Yaml.stringify(doc)`: `YAML.stringify(doc, CDK8S_YAML_OPTIONS)`, or an empty
   * line for an undefined document.
   */
  public document(doc: unknown): string {
    if (doc === undefined) return '\n';
    if (doc !== null && typeof doc === 'object') {
      this.seen = new Set();
      this.out = [];
      try {
        this.enter(doc);
        if (Array.isArray(doc)) {
          if (doc.length === 0) this.out.push('[]');
          else this.seq(doc, '');
        } else {
          const keys = Object.keys(doc);
          if (keys.length === 0) this.out.push('{}');
          else this.map(doc as Record<string, unknown>, keys, '');
        }
        this.out.push('\n');
        return this.out.join('');
      } catch (e) {
        if (e !== FALLBACK) throw e;
      } finally {
        this.out = [];
      }
    }
    return cdk8sYaml().stringify(doc, CDK8S_YAML_OPTIONS);
  }

  /** A plain object or array seen for the first time in this document; anything else needs the library. */
  private enter(value: object): void {
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value) ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) throw FALLBACK;
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw FALLBACK;
    if (!Array.isArray(value) && (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== undefined) throw FALLBACK;
    if (this.seen.has(value)) throw FALLBACK; // the library would write an anchor and an alias
    this.seen.add(value);
  }

  /** A non-empty block mapping at `indent`; its first line carries no indentation (the caller places it). */
  private map(obj: Record<string, unknown>, keys: readonly string[], indent: string): void {
    const out = this.out;
    const child = `${indent}  `;
    const newline = `\n${indent}`;
    const childLine = `\n${child}`;
    for (let i = 0; i < keys.length; i++) {
      const key = this.string(keys[i], indent === '');
      if (key.length > MAX_IMPLICIT_KEY) throw FALLBACK;
      if (i > 0) out.push(newline);
      out.push(key);
      const value = obj[keys[i]];
      if (value !== null && typeof value === 'object') {
        this.enter(value);
        if (Array.isArray(value)) {
          if (value.length === 0) {
            out.push(': []');
          } else {
            out.push(':', childLine);
            this.seq(value, child);
          }
        } else {
          const inner = Object.keys(value);
          if (inner.length === 0) {
            out.push(': {}');
          } else {
            out.push(':', childLine);
            this.map(value as Record<string, unknown>, inner, child);
          }
        }
      } else {
        out.push(': ', this.scalar(value, child));
      }
    }
  }

  /** A non-empty block sequence at `indent` (`- item` lines); its first line carries no indentation. */
  private seq(items: readonly unknown[], indent: string): void {
    const out = this.out;
    const child = `${indent}  `;
    const newline = `\n${indent}`;
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.push(newline);
      const item = items[i];
      if (item !== null && typeof item === 'object') {
        this.enter(item);
        if (Array.isArray(item)) {
          if (item.length === 0) {
            out.push('- []');
          } else {
            out.push('- ');
            this.seq(item, child);
          }
        } else {
          const keys = Object.keys(item);
          if (keys.length === 0) {
            out.push('- {}');
          } else {
            out.push('- ');
            this.map(item as Record<string, unknown>, keys, child);
          }
        }
      } else {
        out.push('- ', this.scalar(item, child));
      }
    }
  }

  /** A scalar value whose node sits at `indent` (the indentation of a block scalar's lines). */
  private scalar(value: unknown, indent: string): string {
    switch (typeof value) {
      case 'string':
        return value.includes('\n') ? blockLiteral(value, indent) : this.string(value);
      case 'number':
        return number(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return 'null'; // keepUndefined: the library writes an undefined value as null
      default:
        if (value === null) return 'null';
        throw FALLBACK; // bigint, symbol, function
    }
  }

  /**
   * A single-line string as a key or a value: plain when the library would write it plain, else quoted its way. A
   * string starting with a document marker (`---`, `...`) is quoted as a key of the top-level mapping only.
   */
  private string(value: string, topLevelKey = false): string {
    const cached = this.scalars.get(value);
    if (cached !== undefined) return cached;
    if (value.includes('\n') || value === '<<' || FORCE_DOUBLE.test(value)) throw FALLBACK;
    const marker = DOCUMENT_MARKER.test(value);
    let out = value;
    if (NOT_PLAIN.test(value) || (marker && topLevelKey) || this.tagTest.test(value)) {
      // The library's quotedString: single quotes when the string has a double quote and no single quote, else
      // double quotes, which for a single line without control characters is exactly JSON's string form.
      out = value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
    }
    if (!marker) this.scalars.set(value, out);
    return out;
  }
}

/** Trailing whitespace after the last line break: the library writes such a string quoted over several lines. */
const TRAILING_BLANK_LINE = /\n[\t ]+$/;

/**
 * A multi-line string value in block context, as the library's `blockString` writes it with `lineWidth: 0` (always
 * literal, `|`): the chomping indicator from the trailing line breaks, an indentation indicator when the text starts
 * with a space, every line indented. Keep chomping (`|+`, two or more trailing line breaks) and everything that is
 * not written as a block scalar go to the library.
 */
function blockLiteral(value: string, indent: string): string {
  if (FORCE_DOUBLE.test(value) || TRAILING_BLANK_LINE.test(value)) throw FALLBACK;
  let endStart = value.length;
  while (endStart > 0) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
    endStart--;
  }
  let end = value.substring(endStart);
  const endNewline = end.indexOf('\n');
  let chomp: string;
  if (endNewline === -1) {
    chomp = '-';
  } else if (value === end || endNewline !== end.length - 1) {
    throw FALLBACK; // keep chomping: the library also tells the enclosing collections (comments, spacing)
  } else {
    chomp = '';
  }
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1); // no line break is left in `end` here
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNewline = -1;
  for (; startEnd < value.length; startEnd++) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNewline = startEnd;
    else break;
  }
  let start = value.substring(0, startNewline < startEnd ? startNewline + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp; // '2': the library's indentation indicator below the root
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

/** The library's `stringifyNumber` for a JavaScript number (no format, no minimum fraction digits). */
function number(value: number): string {
  if (!isFinite(value)) return isNaN(value) ? '.nan' : value < 0 ? '-.inf' : '.inf';
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

/**
 * Writes documents exactly as cdk8s's `Yaml.stringify(...docs)` does: each document as the `yaml` library would write
 * it with cdk8s's options, an undefined document as an empty line, joined with `---\n`.
 */
export function stringifyDocuments(docs: readonly unknown[]): string {
  const writer = new YamlWriter();
  return docs.map((doc) => writer.document(doc)).join('---\n');
}

/** Writes one document exactly as cdk8s's `Yaml.stringify(doc)` does. */
export function stringifyDocument(doc: unknown): string {
  return new YamlWriter().document(doc);
}
