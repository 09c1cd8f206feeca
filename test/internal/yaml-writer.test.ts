// The fast YAML writer (src/internal/yaml-writer.ts) against cdk8s's own Yaml.stringify, byte for byte: arbitrary JSON
// documents biased to the strings YAML 1.1 reads as something else, every document the example platform and the
// benchmark fleet write, and the values that must go to the library (anchors, dates, ...). Replay a failure with
// CDK8S_AI_PROPERTY_SEED=<seed printed below>; CDK8S_AI_YAML_RUNS sets the number of generated documents.
import { App, Chart, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { buildFleet } from '../../bench/fleet';
import { cdk8sYaml, stringifyDocument, stringifyDocuments } from '../../src/internal/yaml-writer';

const SEED = process.env.CDK8S_AI_PROPERTY_SEED ? Number(process.env.CDK8S_AI_PROPERTY_SEED) : Math.floor(Math.random() * 0x7fffffff);
const RUNS = Number(process.env.CDK8S_AI_YAML_RUNS ?? 3000);

/** Strings YAML 1.1 or 1.2 would read as something else, or that need quoting or a block scalar: the fast path's. */
const TRICKY = [
  '', ' ', '  ', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'True',
  'FALSE', 'null', 'Null', 'NULL', '~', '-', '?', ':', '#', '- x', '? x', ': x', 'a: b', 'a:b', 'a:', 'a #b', 'a#b', '#a', '0', '00', '012',
  '0o17', '0x1F', '0b101', '1_000', '+1', '-1', '1.5', '.5', '1.', '1e3', 'e3', '1E-3', '.inf', '-.Inf', '.NaN', '1:20', '1:20:30.5',
  '190:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '=', '!tag', '&anchor', '*alias', '|', '>',
  '@at', '`tick', '"', "'", "it's", 'say "hi"', 'both \' "', '{a}', '[a]', 'a, b', 'x{y}', 'a[0]', ',', 'leading space', ' leading',
  'trailing ', 'tab\tinside', '\ttab', 'tab\t', 'é ünïcödé', '日本語', '😀 emoji', '\u00a0nbsp', 'zero\u200bwidth', 'a\nb', 'a\nb\n',
  '\uFEFF', 'a\uFEFFb', 'a\u2028b', '\u2029x', '\uFFFE', 'x\u200Ey', '\u3000', 'a\u3000', ' \u00a0', '\ta\n', 'a\n\tb\n', '#\n', '- a\nb\n',
  '\na', ' \na', 'a \nb', 'a\n b', '  indented\nx', ' x\n y\n', 'a\n\n\nb', '\n\na\n', 'a\n---\nb', 'x: |\n  y\n',
  '---', '--- x', '...', '...x', '%YAML', 'a\n...\n', `${'long words '.repeat(30)}end`, 'sum(rate(vllm:requests{namespace="team-0"}[5m])) > 0.5', 'http://x:80/a?b=c#d', 'key=value',
];
/** Strings the fast path hands to the library (its document is then the library's): rarer in the generated documents. */
const LIBRARY_ONLY = [
  '<<', 'bell\u0007', 'del\u007f', 'c1\u0085', 'lone \ud800', 'cr\r', 'line\r\nbreak', 'a\nb\n\n',
  '\n', '\n\n', 'a\n ', 'a\n\t', 'x'.repeat(1100),
];

const tricky = fc.constantFrom(...TRICKY);
const pieces = fc.array(fc.oneof(tricky, fc.constantFrom(' ', '\n', ':', '#', '-', '"', "'", '\t', '0', 'y', '.', 'x')), { minLength: 1, maxLength: 4 })
  .map((xs) => xs.join(''));
const anyString = fc.oneof(
  { arbitrary: tricky, weight: 120 },
  { arbitrary: pieces, weight: 60 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 20 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 40 },
  { arbitrary: fc.constantFrom(...LIBRARY_ONLY), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 3 },
);
const anyNumber = fc.oneof(
  fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, 1e-7, 2 ** 53, -(2 ** 60), NaN, Infinity, -Infinity, 0.1, 5e-324),
);
const leaf = fc.oneof(
  { arbitrary: anyString, weight: 6 },
  { arbitrary: anyNumber, weight: 2 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined), weight: 1 },
);
// Keys are mostly single-line (a multi-line key goes to the library; Kubernetes has none).
const key = fc.oneof(
  { arbitrary: fc.constantFrom(...TRICKY.filter((s) => !s.includes('\n'))), weight: 60 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 20 },
  { arbitrary: fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec', '1', 'y'), weight: 20 },
  { arbitrary: anyString, weight: 2 },
);
const { value: json } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));
const documents = fc.array(
  fc.oneof({ arbitrary: fc.dictionary(key, json, { maxKeys: 8 }), weight: 8 }, { arbitrary: json, weight: 2 }),
  { maxLength: 4 },
);

describe('the fast YAML writer writes what cdk8s writes', () => {
  test(`${RUNS} generated documents (seed ${SEED})`, () => {
    const yaml = cdk8sYaml();
    const library = jest.spyOn(yaml, 'stringify');
    let written = 0;
    let fast = 0;
    try {
      fc.assert(fc.property(documents, (docs) => {
        const before = library.mock.calls.length;
        const out = stringifyDocuments(docs);
        const objects = docs.filter((d) => d !== null && typeof d === 'object');
        written += objects.length;
        fast += objects.length - (library.mock.calls.length - before);
        library.mockClear();
        expect(out).toBe(Yaml.stringify(...docs));
      }), { seed: SEED, numRuns: RUNS });
    } finally {
      library.mockRestore();
    }
    // The comparison proves something only where the fast path wrote the document: most of them.
    console.log(`seed ${SEED}: ${fast} of ${written} generated object documents written by the fast path`);
    expect(fast / written).toBeGreaterThan(0.5);
  });

  test('every tricky string as a key, a value and a list item, at several depths', () => {
    for (const s of [...TRICKY, ...LIBRARY_ONLY]) {
      const docs = [{ [s]: s }, { a: { b: [s, { [s]: [s] }] } }, [s], [[s]], { a: s, list: [{ b: s, c: 1 }] }];
      for (const doc of docs) expect(stringifyDocument(doc)).toBe(Yaml.stringify(doc));
    }
  });

  test('values the library writes its own way go to the library (same bytes)', () => {
    const shared = { a: 1 };
    const list = ['x'];
    const odd = [
      { a: shared, b: shared }, { a: list, b: [list] }, { when: new Date(0) }, { m: new Map([['a', 1]]) }, { s: new Set([1]) },
      { big: BigInt(10) }, { j: { toJSON: () => 'json' } }, { boxed: new String('yes') }, Object.create(null), 'top', 12, null,
      { k: 'a\n\n' }, { k: '\n\n' }, { [`${'k'.repeat(1030)}`]: 1 }, { '<<': 1 }, { k: '<<' }, { k: new Uint8Array([1, 2]) },
    ];
    for (const doc of odd) expect(stringifyDocuments([doc])).toBe(Yaml.stringify(doc));
    expect(stringifyDocuments([undefined, {}, [], undefined])).toBe(Yaml.stringify(undefined, {}, [], undefined));
  });

  test('it uses the yaml library cdk8s bundles', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(cdk8sYaml()).toBe(require(require.resolve('yaml', { paths: [require.resolve('cdk8s')] })));
  });

  test('every document of the benchmark fleet (N=60), without the library', () => {
    const app = new App();
    buildFleet(app, 60);
    const docs = app.charts.flatMap((c: Chart) => Object.values(c.toJson()));
    const yaml = cdk8sYaml();
    const spy = jest.spyOn(yaml, 'stringify');
    const fast = stringifyDocuments(docs);
    spy.mockRestore();
    expect(fast).toBe(Yaml.stringify(...docs));
    expect(spy).not.toHaveBeenCalled(); // the fleet stays on the fast path (its ConfigMaps are block literals)
  });
});
