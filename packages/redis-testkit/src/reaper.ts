import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * A detached watchdog that holds the PIDs and temp dirs this process created. It reads
 * `+pid N` / `-pid N` / `+dir P` / `-dir P` lines on stdin; when stdin closes (this
 * process exited, even by SIGKILL or a crash) it SIGKILLs what is still listed and
 * removes the dirs. So no redis-server outlives the test run that started it.
 */
const WATCHDOG = `
const fs = require('node:fs');
const pids = new Set();
const dirs = new Set();
let pending = '';
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const space = line.indexOf(' ');
    const op = line.slice(0, space);
    const arg = line.slice(space + 1);
    if (op === '+pid') pids.add(Number(arg));
    else if (op === '-pid') pids.delete(Number(arg));
    else if (op === '+dir') dirs.add(arg);
    else if (op === '-dir') dirs.delete(arg);
  }
});
const reap = () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  setTimeout(() => {
    for (const dir of dirs) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 100);
};
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

let watchdog: ChildProcess | undefined;

function send(line: string): void {
  if (watchdog === undefined) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.on('error', () => {
      watchdog = undefined;
    });
    watchdog.unref();
    // The pipe is a net.Socket: unref it so it never keeps this process alive.
    const stdin = watchdog.stdin as Socket | null;
    stdin?.on('error', () => {});
    stdin?.unref();
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** Kill this PID if this process dies before {@link untrackPid}. */
export function trackPid(pid: number): void {
  send(`+pid ${pid}`);
}

export function untrackPid(pid: number): void {
  send(`-pid ${pid}`);
}

/** Remove this dir if this process dies before {@link untrackDir}. */
export function trackDir(dir: string): void {
  send(`+dir ${dir}`);
}

export function untrackDir(dir: string): void {
  send(`-dir ${dir}`);
}
