// Prints the public constants whose Python name differs from the TypeScript and Go one (jsii-pacmak's snake_case
// splits a digit from the letter after it: NVIDIA_H100_80_GB is NVIDIA_H100_80_GB in Python), as a line per class and
// a Markdown table to paste into the README. Reads the compiled assembly (.jsii): run `npx projen compile` first.
//   npx ts-node --project projenrc/tsconfig.json --transpile-only tools/bindings/python-names.ts
import { formatRenamedConstants, ownAssembly, pythonRenamedConstants } from './api-surface';

process.stdout.write(formatRenamedConstants(pythonRenamedConstants(ownAssembly())));
