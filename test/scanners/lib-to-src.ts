/**
 * Preloaded (`node -r ts-node/register/transpile-only -r test/scanners/lib-to-src.ts examples/main.ts`) so that the
 * example's `import ... from '../lib'` loads the TypeScript sources in src/: the example is synthesized from the
 * current code, without a jsii compile, and never from a stale lib/.
 */
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module');

const LIB = path.resolve(__dirname, '..', '..', 'lib');
const SRC_INDEX = path.resolve(__dirname, '..', '..', 'src', 'index.ts');
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) {
  if (parent?.filename && request.startsWith('.')) {
    const target = path.resolve(path.dirname(parent.filename), request);
    if (target === LIB || target === path.join(LIB, 'index') || target === path.join(LIB, 'index.js')) return SRC_INDEX;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
