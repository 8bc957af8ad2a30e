/**
 * Runs one command as if it had been started directly, and lets the caller end the same way.
 *
 * - stdio is inherited (the child reads and writes our own fds: byte-identical, and TTY stays TTY);
 *   `shell: false`, PATH lookup by spawn.
 * - A command that cannot be started gives the shell's answer: 127 when it is not found, 126 when
 *   it cannot be executed, with one line on stderr.
 * - Signals sent to us are passed on to the child while it runs, without delivering one twice:
 *
 *   SIGINT and SIGQUIT are what a terminal sends for Ctrl-C and Ctrl-\. The kernel sends those to the
 *   terminal's whole foreground process group, and the child (spawned without `detached`) is in our
 *   group, so it already has its own copy: forwarding ours would make the app see two Ctrl-C (apps
 *   that count them, "press Ctrl-C again to force quit", would quit hard). So we forward SIGINT and
 *   SIGQUIT only when the child cannot have received them from a terminal, that is unless all of
 *   these hold (read from /proc on Linux): we have a controlling terminal, our process group is its
 *   foreground group, and the child is still in our process group. Elsewhere (no /proc) we assume
 *   the terminal sent it when one of our stdio streams is a TTY. So `kill -INT <aim pid>` from a
 *   script, a supervisor, or `docker stop` with `STOPSIGNAL SIGINT` reaches the app once; a
 *   terminal's Ctrl-C reaches it once. What we cannot tell apart: `kill -INT <aim pid>` sent from
 *   elsewhere while `aim run` is the foreground job of a terminal is not forwarded (send it to the
 *   process group, `kill -INT -<pgid>`, or to the app).
 *
 *   SIGTERM, SIGHUP and SIGUSR2 do not come from the keyboard and are always forwarded. When they
 *   are sent to the whole group (`kill -TERM -<pgid>`, systemd's control-group kill, a terminal
 *   hang-up) the child gets them twice; for the usual default or exit-on-signal handler the second
 *   copy arrives at a process already exiting.
 *
 *   Other signals keep their default action (SIGUSR1 stays Node's debugger signal; SIGTSTP,
 *   SIGCONT and SIGWINCH come from job control and the terminal and reach the group directly).
 * - `exitLike` ends the current process with the child's exit code, or, when a signal ended the
 *   child, by the same signal (so a parent shell sees 128+n and "Terminated", as for the app itself).
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Signals a keyboard sends to the foreground process group. */
const KEYBOARD_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];
/** Signals always forwarded. */
const OTHER_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR2'];
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [...KEYBOARD_SIGNALS, ...OTHER_SIGNALS];

interface ProcStat {
  pgrp: number;
  ttyNr: number;
  tpgid: number;
}

/** Process group, controlling terminal and the terminal's foreground group from /proc (Linux). */
function procStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session tty_nr tpgid ...": comm may hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [pgrp, ttyNr, tpgid] = [fields[2], fields[4], fields[5]].map(Number);
    if (pgrp === undefined || ttyNr === undefined || tpgid === undefined) return undefined;
    if (![pgrp, ttyNr, tpgid].every(Number.isFinite)) return undefined;
    return { pgrp, ttyNr, tpgid };
  } catch {
    return undefined;
  }
}

/**
 * True when a keyboard signal we just got was, as far as we can tell, also delivered to the child
 * by the terminal (see the comment at the top of this file).
 */
export function childSharesTerminalSignals(childPid: number): boolean {
  const self = procStat('self');
  const child = procStat(childPid);
  if (self && child) return self.ttyNr !== 0 && self.tpgid === self.pgrp && child.pgrp === self.pgrp;
  if (self && !child) return false; // the child is gone: nothing to deliver twice
  return Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
}

function describeSpawnError(command: string, error: NodeJS.ErrnoException): { message: string; code: number } {
  if (error.code === 'ENOENT') return { message: `${command}: command not found`, code: 127 };
  if (error.code === 'EACCES') return { message: `${command}: permission denied`, code: 126 };
  return { message: `${command}: cannot run: ${error.code ?? error.message}`, code: 126 };
}

/**
 * Runs `command args` with inherited stdio and `env`, forwarding signals, and resolves with how it
 * ended. Never rejects: a command that cannot start resolves as a shell would report it (127/126).
 */
export interface RunOptions {
  /** The child's stdout is our stderr (fd 2 handed over as its fd 1): our stdout stays free for a report. */
  stdoutToStderr?: boolean;
}

export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<ChildResult> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    const listeners = new Map<NodeJS.Signals, () => void>();
    let settled = false;
    const finish = (result: ChildResult) => {
      if (settled) return;
      settled = true;
      for (const [signal, listener] of listeners) process.removeListener(signal, listener);
      listeners.clear();
      resolve(result);
    };
    const fail = (error: NodeJS.ErrnoException) => {
      const { message, code } = describeSpawnError(command, error);
      process.stderr.write(`aim: ${message}\n`);
      finish({ code, signal: null });
    };

    try {
      const stdio: StdioOptions = options.stdoutToStderr ? ['inherit', 2, 'inherit'] : 'inherit';
      child = spawn(command, args, { stdio, env, shell: false });
    } catch (error) {
      // Synchronous failures: invalid arguments (e.g. a NUL byte in an argument).
      fail(error as NodeJS.ErrnoException);
      return;
    }

    child.on('error', (error: NodeJS.ErrnoException) => {
      // Once the child runs, 'error' can only come from kill(); the exit event still follows.
      if (child.pid === undefined) fail(error);
    });
    child.on('exit', (code, signal) => finish({ code, signal }));

    const forward = (signal: NodeJS.Signals) => {
      const pid = child.pid;
      if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      if (KEYBOARD_SIGNALS.includes(signal) && childSharesTerminalSignals(pid)) return;
      try {
        child.kill(signal);
      } catch {
        // The child is already gone.
      }
    };
    for (const signal of FORWARDED_SIGNALS) {
      const listener = () => forward(signal);
      listeners.set(signal, listener);
      process.on(signal, listener);
    }
  });
}

/**
 * Ends the current process the way the child ended: with its exit code, or killed by the same
 * signal. Our signal listeners are removed and the signal's default action restored first (Node
 * ignores SIGPIPE, for one); if the signal does not end us (it is blocked or ignored by our own
 * parent's choice), we exit with 128 + its number as a shell would report it.
 */
export function exitLike(result: ChildResult): Promise<never> {
  const { signal } = result;
  if (!signal) process.exit(result.code ?? 1);
  process.removeAllListeners(signal);
  const noop = () => {};
  try {
    // Adding then removing a listener makes libuv put back the default disposition (SIG_DFL).
    process.on(signal, noop);
    process.removeListener(signal, noop);
  } catch {
    // SIGKILL and SIGSTOP cannot be listened to; their default action is the only one.
  }
  try {
    process.kill(process.pid, signal);
  } catch {
    // fall through to the exit below
  }
  const number = (constants.signals as Record<string, number | undefined>)[signal] ?? 0;
  return new Promise<never>(() => {
    setTimeout(() => process.exit(128 + number), 1000);
  });
}
