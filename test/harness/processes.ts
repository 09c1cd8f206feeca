/**
 * Child-process plumbing for the control plane: free ports, spawning servers
 * that die with the jest process, a detached watchdog that cleans up when the
 * jest process is killed, and orderly shutdown.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

/** Reserves `count` distinct free loopback ports (all held open until every one is known). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      ports.push(await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
      }));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Environment for server processes: no proxies (gRPC to etcd honours HTTPS_PROXY), and die-with-parent. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) {
    delete env[k];
  }
  env.NO_PROXY = '127.0.0.1,localhost';
  env.no_proxy = env.NO_PROXY;
  // Read by tools/testenv/*/diewithparent_linux.go: SIGKILL when this process dies.
  env.CDK8S_AI_TESTENV_PARENT_PID = String(process.pid);
  return env;
}

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code/signal once the process has exited. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
}

/** Starts a server with stdout+stderr appended to `logFile`. */
export function startServer(name: string, binary: string, args: readonly string[], logFile: string): ServerProcess {
  const fd = fs.openSync(logFile, 'a');
  let done = false;
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd], env: childEnv() });
  fs.closeSync(fd);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    });
    child.once('error', (err) => {
      done = true;
      resolve(`spawn error: ${err.message}`);
    });
  });
  return { name, child, logFile, exited, hasExited: () => done };
}

/** Last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopServer(server: ServerProcess, graceMs = 10_000): Promise<void> {
  if (server.hasExited()) {
    return;
  }
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/**
 * Detached watchdog (its own process group, so Ctrl-C or a group kill of jest
 * does not take it down): every 500 ms it re-reads the watch file; when the
 * watched parent is gone it kills the listed pids and removes the directory.
 * It exits by itself once the watch file is deleted (normal teardown).
 */
const WATCHDOG_SOURCE = `
const fs = require('fs');
const file = process.env.CDK8S_AI_WATCHDOG_FILE;
let last;
function alive(pid) { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } }
function kill(pids, sig) { for (const p of pids) { try { process.kill(p, sig); } catch (e) {} } }
const timer = setInterval(() => {
  let w;
  try { w = JSON.parse(fs.readFileSync(file, 'utf8')); last = w; }
  catch (e) { if (!fs.existsSync(file)) process.exit(0); w = last; }
  if (!w || alive(w.parent)) return;
  clearInterval(timer);
  kill(w.pids, 'SIGTERM');
  setTimeout(() => {
    kill(w.pids, 'SIGKILL');
    try { fs.rmSync(w.dir, { recursive: true, force: true }); } catch (e) {}
    process.exit(0);
  }, 3000);
}, 500);
`;

export interface WatchList {
  readonly parent: number;
  readonly pids: readonly number[];
  readonly dir: string;
}

export class Watchdog {
  private readonly child: ChildProcess;

  constructor(private readonly watchFile: string, initial: WatchList) {
    this.update(initial);
    this.child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, CDK8S_AI_WATCHDOG_FILE: watchFile },
    });
    this.child.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  update(list: WatchList): void {
    const tmp = `${this.watchFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(list));
    fs.renameSync(tmp, this.watchFile);
  }

  /** Normal shutdown: the watchdog exits when its file disappears; also signal it directly. */
  stop(): void {
    fs.rmSync(this.watchFile, { force: true });
    try {
      this.child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
}
