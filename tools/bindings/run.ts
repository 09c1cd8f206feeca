// Standalone binding check (the same steps as test/bindings/bindings.test.ts, without jest):
//   npx projen test:bindings
// Builds the Python wheel and the Go module, synthesizes the example in TypeScript, Python and Go into
// .cache/bindings/out/{ts,python,go}, compares them byte for byte and prints the time of each step. A failing
// Python or Go test does not stop the comparison: the file diff usually says more.
import {
  buildBindings, compareOutputs, formatTimings, listFiles, outputDir, synthGo, synthPython, synthTypeScript,
} from './pipeline';

function main(): number {
  const problems: string[] = [];
  const attempt = (what: string, work: () => void) => {
    try {
      work();
    } catch (e) {
      problems.push(`${what} failed: ${(e as Error).message}`);
    }
  };
  try {
    const { venvPython } = buildBindings();
    const ts = outputDir('ts');
    const python = outputDir('python');
    const go = outputDir('go');
    synthTypeScript(ts);
    if (listFiles(ts).length === 0) throw new Error('the TypeScript example synthesized no file');
    attempt('the Python app', () => synthPython(venvPython, python));
    attempt('the Go app', () => synthGo(go));
    problems.push(...compareOutputs(ts, python, 'Python'), ...compareOutputs(ts, go, 'Go'));
    if (problems.length === 0) console.log(`TypeScript, Python and Go outputs are byte-identical (${listFiles(ts).join(', ')})`);
  } catch (e) {
    problems.push((e as Error).message);
  }
  console.log(formatTimings());
  if (problems.length > 0) {
    console.error(`the bindings disagree with the TypeScript example:\n${problems.join('\n')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
