/**
 * code-server for the end-to-end tests and the demo: installs it (scripts/e2e/install.sh, cached
 * in .cache/e2e), starts it on 127.0.0.1 on a free port in its own process group with every
 * folder sandboxed under one run directory, and stops the whole group.
 *
 *   node --import tsx scripts/e2e/code-server.ts serve WORKSPACE   # the demo: prints the URL, runs until Ctrl-C
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

export interface E2ePaths {
  node: string;
  codeServer: string;
  chromium: string;
}

/** Install (or reuse) Node 24, code-server and Chromium; the paths of their executables. */
export function ensureInstalled(): E2ePaths {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'e2e', 'install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/e2e/install.sh failed (${r.status})`);
  const vars = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  return { node: vars.E2E_NODE, codeServer: vars.E2E_CODE_SERVER, chromium: vars.E2E_CHROMIUM };
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface RunningCodeServer {
  port: number;
  url: string;
  /** The run directory (user data, extensions, logs, tmp). */
  dir: string;
  log: string;
  /** `?folder=…&payload=…` URL that loads the extension from this repository (and optionally a test module). */
  workbenchUrl(folder: string, opts?: { extensionTestsPath?: string }): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  paths: E2ePaths;
  workspace: string;
  /** Extra environment for code-server (and so for the extension host). */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** VS Code's smoke-test driver (the tests need it; it hides notification toasts). Default true. */
  smokeTestDriver?: boolean;
  /**
   * Workspace trust on, with no folder trusted: the workspace opens in restricted mode, without
   * the startup prompt. Default false: trust off (`--disable-workspace-trust`), everything trusted.
   */
  restricted?: boolean;
}

export async function startCodeServer(opts: StartOptions): Promise<RunningCodeServer> {
  // A short run directory: unix socket paths must stay under 108 characters.
  const dir = mkdtempSync(join(tmpdir(), 'gcp-cs-'));
  for (const d of ['tmp', 'home/.config', 'home/.local/share', 'ud/User', 'ext']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'config.yaml'), 'auth: none\n');
  writeFileSync(join(dir, 'ud', 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': opts.restricted === true,
    ...(opts.restricted ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open', 'security.workspace.trust.banner': 'never' } : {}),
    'update.mode': 'none',
    ...opts.settings,
  }, null, 2));
  const port = await freePort();
  const log = join(dir, 'code-server.log');
  const out = openSync(log, 'a');
  const proc: ChildProcess = spawn(opts.paths.node, [
    opts.paths.codeServer,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.restricted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir', join(dir, 'ud'),
    '--extensions-dir', join(dir, 'ext'),
    '--config', join(dir, 'config.yaml'),
    ...(opts.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    opts.workspace,
  ], {
    detached: true, // its own process group: stop() kills the extension host and language servers too
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      TMPDIR: join(dir, 'tmp'),
      HOME: join(dir, 'home'),
      XDG_CONFIG_HOME: join(dir, 'home', '.config'),
      XDG_DATA_HOME: join(dir, 'home', '.local', 'share'),
      ...opts.env,
    },
  });
  const pgid = proc.pid!;
  const stop = async () => {
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      try {
        process.kill(-pgid, 0);
      } catch {
        return;
      }
    }
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}; see ${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url}/healthz within 60 s; see ${log}`);
    }
    await sleep(200);
  }
  const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    port,
    url,
    dir,
    log,
    workbenchUrl(folder, o = {}) {
      const payload: [string, string][] = [['extensionDevelopmentPath', remote(repoRoot)]];
      if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
      return `${url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    stop,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function serve(workspace: string): Promise<void> {
  const paths = ensureInstalled();
  const cs = await startCodeServer({ paths, workspace: resolve(workspace), smokeTestDriver: false });
  const ws = resolve(workspace);
  console.log(`\ncode-server is running the extension from ${repoRoot} on ${ws}:\n\n  ${cs.workbenchUrl(ws)}\n\nOpen that URL in a browser on this machine. Ctrl-C stops it (log: ${cs.log}).`);
  const quit = () => void cs.stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
  await new Promise(() => undefined);
}

if (require.main === module) {
  const [cmd, ws] = process.argv.slice(2);
  if (cmd !== 'serve' || !ws) {
    console.error('usage: node --import tsx scripts/e2e/code-server.ts serve WORKSPACE');
    process.exit(2);
  }
  void serve(ws);
}
