// Standalone binding check (the same steps as test/bindings/bindings.test.ts, without jest):
//   npx ts-node --project projenrc/tsconfig.json --transpile-only tools/bindings/run.ts
// Builds the Python wheel and the Go module, synthesizes the example in TypeScript, Python and Go into
// .cache/bindings/out/{ts,python,go}, compares them byte for byte and prints the time of each step.
import {
  buildBindings, compareOutputs, formatTimings, listFiles, outputDir, synthGo, synthPython, synthTypeScript,
} from './pipeline';

function main(): number {
  const { venvPython } = buildBindings();
  const ts = outputDir('ts');
  const python = outputDir('python');
  const go = outputDir('go');
  synthTypeScript(ts);
  synthPython(venvPython, python);
  synthGo(go);
  const problems = [...compareOutputs(ts, python, 'Python'), ...compareOutputs(ts, go, 'Go')];
  console.log(formatTimings());
  if (listFiles(ts).length === 0) problems.push('the TypeScript example synthesized no file');
  if (problems.length > 0) {
    console.error(`the bindings disagree with the TypeScript example:\n${problems.join('\n')}`);
    return 1;
  }
  console.log(`TypeScript, Python and Go outputs are byte-identical (${listFiles(ts).join(', ')})`);
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
}
