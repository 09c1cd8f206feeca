/** jest globalTeardown: stops every process started by globalSetup and removes its temp dir. */
import { GLOBAL_HANDLE, RunningTestEnv } from './control-plane';
import { STATE_ENV_VAR } from './state';

export default async function globalTeardown(): Promise<void> {
  const handle = (globalThis as Record<string, unknown>)[GLOBAL_HANDLE] as RunningTestEnv | undefined;
  delete (globalThis as Record<string, unknown>)[GLOBAL_HANDLE];
  delete process.env[STATE_ENV_VAR];
  await handle?.stop();
}
