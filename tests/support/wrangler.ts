import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../src/seed/start.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface DevServer {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `wrangler pages dev` on the built app with its R2 state under `persistTo`, the same way `npm start`
 * does, and resolves once /api/health answers. Stopping sends SIGINT so wrangler takes workerd down with it.
 */
export async function startPagesDev(
  persistTo: string,
  port?: number,
  bindings: Record<string, string> = {},
): Promise<DevServer> {
  // The gallery's index schema, as `npm start` applies it.
  applyMigrations(persistTo);
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(
    `${root}node_modules/.bin/wrangler`,
    [
      'pages',
      'dev',
      'build',
      '--ip',
      '127.0.0.1',
      '--port',
      String(p),
      '--persist-to',
      persistTo,
      // Any free port for the devtools inspector: the default 9229 may be held by another server (or taken by
      // one starting at the same moment), and wrangler would die on it.
      '--inspector-port',
      '0',
      '--log-level',
      'warn',
      // Every browser test file shares one server and one client IP; the public write limit would trip them.
      '--binding',
      'RATE_LIMIT_WRITES=500/600',
      // Reads as well, in short windows: a whole browser run may read more than 999 times in ten minutes.
      '--binding',
      'RATE_LIMIT_READS=999/60',
      ...Object.entries(bindings).flatMap(([k, v]) => ['--binding', `${k}=${v}`]),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        // Offline: use miniflare's placeholder Request.cf instead of fetching it from Cloudflare.
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        CI: 'true',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${p}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler pages dev exited early:\n${log}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`wrangler pages dev did not answer within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
