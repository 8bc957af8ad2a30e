/**
 * Real database servers for the compat corpus and the tests, on loopback only, in a fresh
 * directory each: PostgreSQL (initdb + postgres, run as the `postgres` user when we are root,
 * which initdb refuses to be) and Redis. Each start returns the port and a stop function.
 * Missing binaries: `apt-get install -y postgresql redis-server` (Debian), tried once.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const PG_BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin'];

function which(name, dirs = []) {
  for (const dir of [...dirs, ...(process.env.PATH ?? '').split(':')]) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

let aptTried = false;
function ensure(binary, dirs, aptPackage) {
  let found = which(binary, dirs);
  if (!found && !aptTried && process.getuid?.() === 0) {
    aptTried = true;
    spawnSync('apt-get', ['install', '-y', '-qq', aptPackage], { stdio: 'ignore' });
    found = which(binary, dirs);
  }
  if (!found) throw new Error(`${binary} is not installed (apt-get install -y ${aptPackage})`);
  return found;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, what) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start listening on ${port}`);
}

/** As the `postgres` user when we are root. */
function asPostgres(command, args) {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** A PostgreSQL server on 127.0.0.1:<port>, trust auth, user `postgres`, database `postgres`. */
export async function startPostgres() {
  const initdb = ensure('initdb', PG_BIN_DIRS, 'postgresql');
  const postgres = ensure('postgres', PG_BIN_DIRS, 'postgresql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const [cmd, args] = asPostgres(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(cmd, args, { stdio: 'ignore' });
  const port = await freePort();
  const [pcmd, pargs] = asPostgres(postgres, ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F']);
  const child = spawn(pcmd, pargs, { stdio: 'ignore' });
  await waitForPort(port, child, 'postgres');
  return {
    port,
    socketDir: dir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      child.kill('SIGINT');
      setTimeout(() => fs.rmSync(dir, { recursive: true, force: true }), 2000).unref();
    },
  };
}

/** A Redis server on 127.0.0.1:<port>, nothing saved to disk. */
export async function startRedis() {
  const redis = ensure('redis-server', [], 'redis-server');
  const port = await freePort();
  const child = spawn(redis, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForPort(port, child, 'redis');
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
