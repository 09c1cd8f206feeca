/**
 * Preloaded after lib-to-src.ts (test/cluster/ai-app.test.ts) so that examples/main.ts gets cdk8s-ai's `AiApp` where
 * it writes `new App(...)` from 'cdk8s': the same app, synthesized by AiApp, for the byte comparison with cdk8s's App.
 */
import * as path from 'node:path';
import { AiApp } from '../../src/cluster/ai-app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module');

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const load = Module._load;

Module._load = function (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) {
  const loaded = load.call(this, request, parent, ...rest);
  if (request === 'cdk8s' && parent?.filename?.startsWith(`${EXAMPLES}${path.sep}`)) return { ...loaded, App: AiApp };
  return loaded;
};
