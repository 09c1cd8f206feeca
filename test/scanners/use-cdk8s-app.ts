/**
 * Preloaded after lib-to-src.ts (test/cluster/ai-app.test.ts) so that examples/main.ts gets cdk8s's own `App` where
 * it writes `new AiApp(...)` from the library: the same app, synthesized by cdk8s's App, for the byte comparison
 * with AiApp.
 */
import * as path from 'node:path';
import { App } from 'cdk8s';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module');

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const load = Module._load;

Module._load = function (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) {
  const loaded = load.call(this, request, parent, ...rest);
  if (request === '../lib' && parent?.filename?.startsWith(`${EXAMPLES}${path.sep}`)) {
    // Said on stdout so the test knows the swap happened (a swap that silently missed would compare AiApp to itself).
    process.stdout.write('use-cdk8s-app: AiApp is cdk8s App\n');
    return { ...loaded, AiApp: App };
  }
  return loaded;
};
