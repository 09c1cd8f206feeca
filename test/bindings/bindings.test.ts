// The example app in TypeScript (examples/main.ts), Python (test/bindings/python/app.py) and Go
// (test/bindings/go/main.go) must produce byte-identical output, file by file (the manifests and the PlatformReport
// files), through the jsii packages that jsii-pacmak builds from this repository (the Python wheel and the Go module).
//
// Adding a construct to the example: translate the new lines of examples/main.ts into app.py (snake_case keyword
// arguments) and main.go (`cdk8sai.NewXxx(scope, jsii.String("Id"), &cdk8sai.XxxProps{...})`), same ids, same order.
// Go hands maps to the library with their keys sorted (encoding/json), while TypeScript and Python keep insertion
// order: a construct that turns a map prop into a list must sort the keys, or the Go output differs (the diff says so).
// Python names come from jsii-pacmak's snake_case; constants keep their exact name (namingProblems refuses any
// constant snake_case would change, so `GpuModel.NVIDIA_H100_80_GB` is spelled the same in all three).
// The first run builds everything (minutes); later runs rebuild only what changed (see tools/bindings/pipeline.ts).
import * as fs from 'fs';
import * as path from 'path';
import {
  overloadProblems, namingProblems, ownAssembly, publicConstructs, structDocProblems, unionProblems,
} from '../../tools/bindings/api-surface';
import {
  buildBindings, compareOutputs, formatTimings, GO_APP, listFiles, outputDir, PYTHON_APP, ROOT, run, synthGo,
  synthPython, synthTypeScript, TS_APP,
} from '../../tools/bindings/pipeline';

const BUILD_TIMEOUT = 20 * 60_000;
const RUN_TIMEOUT = 5 * 60_000;

let venvPython: string;
const outputs: Record<'ts' | 'python' | 'go', string | undefined> = { ts: undefined, python: undefined, go: undefined };

beforeAll(() => {
  venvPython = buildBindings().venvPython;
}, BUILD_TIMEOUT);

afterAll(() => {
  process.stdout.write(`binding pipeline steps:\n${formatTimings()}\n`);
});

describe('the example app in TypeScript, Python and Go', () => {
  test('the TypeScript example synthesizes', () => {
    const dir = outputDir('ts');
    synthTypeScript(dir);
    expect(listFiles(dir)).not.toEqual([]);
    outputs.ts = dir;
  }, RUN_TIMEOUT);

  // The output is compared even when a Python or Go test fails: the file diff usually says more than the failure.
  test('the Python app passes its pytest suite', () => {
    outputs.python = outputDir('python');
    synthPython(venvPython, outputs.python);
  }, RUN_TIMEOUT);

  test('the Go app passes go test', () => {
    outputs.go = outputDir('go');
    synthGo(outputs.go);
  }, RUN_TIMEOUT);

  test.each([['Python', 'python'], ['Go', 'go']] as const)('the %s output is byte-identical to TypeScript, file by file', (name, key) => {
    if (!outputs.ts || !outputs[key]) throw new Error(`no output to compare: the TypeScript or ${name} app did not run (see above)`);
    const problems = compareOutputs(outputs.ts, outputs[key]!, name);
    if (problems.length) throw new Error(`the ${name} output differs from the TypeScript one:\n${problems.join('\n')}`);
  });
});

describe('language parity', () => {
  test('every public construct is used by the TypeScript, Python and Go apps', () => {
    const sources = {
      'examples/main.ts': { text: read(path.join(TS_APP, 'main.ts')), use: (c: string) => new RegExp(`\\bnew ${c}\\(`) },
      'test/bindings/python/app.py': { text: read(path.join(PYTHON_APP, 'app.py')), use: (c: string) => new RegExp(`\\b${c}\\(`) },
      'test/bindings/go/main.go': { text: read(path.join(GO_APP, 'main.go')), use: (c: string) => new RegExp(`\\bcdk8sai\\.New${c}\\(`) },
    };
    const constructs = publicConstructs(ownAssembly());
    expect(constructs).toContain('ClusterProfile');
    const missing = constructs.flatMap((c) => Object.entries(sources).filter(([, s]) => !s.use(c).test(s.text)).map(([file]) => `${c} in ${file}`));
    expect(missing).toEqual([]);
  });

  test('Python and Go run the same versions of the jsii libraries as the TypeScript example', () => {
    const npm = (name: string) => JSON.parse(read(path.join(ROOT, 'node_modules', name, 'package.json'))).version;
    const pythonVersions = JSON.parse(run(venvPython, ['-c',
      'import json, importlib.metadata as m; print(json.dumps({d: m.version(d) for d in ["cdk8s", "constructs", "cdk8s-plus-28"]}))']));
    expect(pythonVersions).toEqual({ 'cdk8s': npm('cdk8s'), 'constructs': npm('constructs'), 'cdk8s-plus-28': npm('cdk8s-plus-28') });

    // cdk8s core is generated from node_modules/cdk8s (replace directive); the others come from the module proxy.
    const goMod = read(path.join(GO_APP, 'go.mod'));
    const goVersion = (module: string) => goMod.match(new RegExp(`^\\s*${module.replace(/[./]/g, '\\$&')} v(\\S+)`, 'm'))?.[1];
    expect({
      constructs: goVersion('github.com/aws/constructs-go/constructs/v10'),
      cdk8sPlus: goVersion('github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2'),
    }).toEqual({ constructs: npm('constructs'), cdk8sPlus: npm('cdk8s-plus-28') });
    expect(goMod).toMatch(/^replace github\.com\/cdk8s-team\/cdk8s-core-go\/cdk8s\/v2 => \.\.\/\.\.\/\.\.\/\.cache\/bindings\/go-deps\/go\/cdk8s$/m);
  });
});

describe('the public API reads well in Python and Go', () => {
  test('no union types', () => {
    expect(unionProblems(ownAssembly())).toEqual([]);
  });

  test('no overloads', () => {
    expect(overloadProblems()).toEqual([]);
  });

  test('every struct property is documented, and every optional one has @default', () => {
    expect(structDocProblems(ownAssembly())).toEqual([]);
  });

  test('no names that Python or Go rename or that read badly in snake_case', () => {
    expect(namingProblems(ownAssembly())).toEqual([]);
  });
});

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}
