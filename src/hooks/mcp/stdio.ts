/**
 * Wire layer, stdio: a child spawned with piped stdin/stdout whose first line on stdin is a
 * JSON-RPC `initialize` request is an MCP server (index.ts hands over children whose first write
 * looks like JSON). We wrap the child's own `stdin.write` and
 * `stdout.push` (never a 'data' listener, never resume(): the app's streams keep their mode),
 * read copies of the bytes, and never change them. Anything that is not JSON-RPC: give up and
 * restore the originals.
 */
import type { ChildProcess } from 'node:child_process';
import {
  clientLibraryInStack,
  emitCall,
  emitServer,
  internalError,
  now,
  sdkFollowedKeys,
} from './emit.js';
import { LineSplitter, MAX_LINE, callNameOf, helloOf, mentionsWatchedMethod, parseMessages, toolNamesOf } from './jsonrpc.js';
import { nameFromCommand, stdioKey } from './naming.js';
import { redactArgs, redactCommand } from '../../platform/index.js';
import { adoptFromStack } from './client-modules.js';

export interface SpawnOptions {
  file?: unknown;
  args?: unknown;
  cwd?: unknown;
}

type Writable = NonNullable<ChildProcess['stdin']>;
type Readable = NonNullable<ChildProcess['stdout']>;

/**
 * Starts watching a spawned child when its stdin and stdout are pipes; `stack` is the spawn's.
 * The caller hands it the first chunk written (trigger.ts saw it before this layer was loaded).
 */
export function watchChild(child: ChildProcess, options: SpawnOptions, stack: string | undefined): StdioWatch | undefined {
  const stdin = child.stdin;
  const stdout = child.stdout;
  if (!stdin || !stdout || typeof stdin.write !== 'function' || typeof stdout.push !== 'function') return undefined;
  const spawnFile = typeof options?.file === 'string' ? options.file : undefined;
  if (!spawnFile) return undefined;
  const spawnArgs = Array.isArray(options.args) ? options.args.slice(1).map(String) : [];
  const { file, args } = unwrapShell(spawnFile, spawnArgs);
  const cwd = typeof options.cwd === 'string' ? options.cwd : undefined;
  return new StdioWatch(child, stdin, stdout, file, args, cwd, stack);
}

/**
 * `sh -c "npx -y pkg"` (spawn with `shell: true`) is keyed as the command line it runs, so the
 * wire layer and the SDK layer (which sees `npx`, `['-y', 'pkg']`) agree on the server's key.
 * Only plain lines are unwrapped: anything with shell syntax stays as it was spawned.
 */
export function unwrapShell(file: string, args: string[]): { file: string; args: string[] } {
  if (!/(^|[\\/])(sh|bash|dash|zsh)$/.test(file) || args.length !== 2 || args[0] !== '-c') return { file, args };
  const line = args[1]!.trim();
  if (!line || /[|&;<>()$`\\*?\[\]{}~!#]/.test(line)) return { file, args };
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  const [command, ...rest] = words;
  return command ? { file: command, args: rest } : { file, args };
}

type Phase = 'probe' | 'handshake' | 'ready' | 'done';

export class StdioWatch {
  private phase: Phase = 'probe';
  private readonly outgoing: LineSplitter;
  private incoming: LineSplitter | undefined;
  private probedBytes = 0;
  /** Handshake request ids: `initialize` and the newer `server/discover`. */
  private readonly handshakeIds = new Map<unknown, string>();
  private probedLines = 0;
  private readonly pendingLists = new Set<unknown>();
  private key = '';
  private readonly originalWrite: Writable['write'];
  private readonly ownWrite: Writable['write'];
  private originalPush: Readable['push'] | undefined;
  private ownPush: Readable['push'] | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly stdin: Writable,
    private readonly stdout: Readable,
    private readonly file: string,
    private readonly args: string[],
    private readonly cwd: string | undefined,
    private stack: string | undefined,
  ) {
    this.outgoing = new LineSplitter((line) => this.onOutgoingLine(line));
    this.originalWrite = stdin.write;
    const watch = this;
    const originalWrite = this.originalWrite;
    this.ownWrite = function write(this: Writable, chunk: unknown, ...rest: unknown[]): boolean {
      watch.sniffOutgoing(chunk, rest[0]);
      return (originalWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Writable['write'];
    stdin.write = this.ownWrite;
  }

  sniffOutgoing(chunk: unknown, encoding: unknown): void {
    if (this.phase === 'done') return;
    try {
      if (this.phase === 'probe') {
        const size = typeof chunk === 'string' ? chunk.length : chunk instanceof Uint8Array ? chunk.byteLength : 0;
        if (size === 0) return;
        this.probedBytes += size;
        if (this.probedBytes > MAX_LINE) return this.giveUp();
      } else if (this.phase === 'ready' && sdkFollowedKeys.has(this.key)) {
        // The SDK layer sees this client's requests: the wire has nothing to add.
        return this.giveUp();
      }
      this.outgoing.feed(chunk, typeof encoding === 'string' ? encoding : undefined);
    } catch (error) {
      internalError(error);
      this.giveUp();
    }
  }

  private onOutgoingLine(line: string): void {
    if (this.phase !== 'ready') {
      const messages = parseMessages(line);
      if (this.phase === 'probe' && messages.length === 0) return this.giveUp();
      for (const message of messages) {
        if (message.method === 'initialize' || message.method === 'server/discover') {
          this.handshakeIds.set(message.id, message.method);
          if (this.phase === 'probe') this.startHandshake();
        }
      }
      // A JSON-RPC peer that is not MCP: a few lines without a handshake are enough to tell.
      if (this.phase === 'probe' && ++this.probedLines >= 3) this.giveUp();
      if ((this.phase as Phase) !== 'ready') return;
    }
    if (!mentionsWatchedMethod(line)) return;
    for (const message of parseMessages(line)) {
      const method = message.method;
      if (method === 'tools/list') {
        if (message.id !== undefined && this.pendingLists.size < 16) this.pendingLists.add(message.id);
      } else if (method === 'tools/call' || method === 'resources/read') {
        emitCall(this.key, method, callNameOf(method, message.params));
      }
    }
  }

  private startHandshake(): void {
    this.phase = 'handshake';
    this.key = stdioKey(this.file, this.args);
    const clientLibrary = clientLibraryInStack(this.stack);
    adoptFromStack(this.stack);
    this.stack = undefined;
    emitServer('attempted', {
      key: this.key,
      name: nameFromCommand(this.file, this.args),
      transport: 'stdio',
      command: redactCommand(this.file),
      args: redactArgs(this.args),
      cwd: this.cwd ?? process.cwd(),
      connectedAt: now(),
      ...(clientLibrary ? { clientLibrary } : {}),
    });
    this.incoming = new LineSplitter((line) => this.onIncomingLine(line));
    const watch = this;
    const originalPush = (this.originalPush = this.stdout.push);
    this.ownPush = function push(this: Readable, chunk: unknown, ...rest: unknown[]): boolean {
      watch.sniffIncoming(chunk, rest[0]);
      return (originalPush as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Readable['push'];
    this.stdout.push = this.ownPush;
    this.child.once('exit', () => this.onExit());
  }

  private sniffIncoming(chunk: unknown, encoding: unknown): void {
    if (this.phase === 'done' || chunk === null || chunk === undefined) return;
    if (this.phase === 'ready' && this.pendingLists.size === 0) return;
    try {
      this.incoming?.feed(chunk, typeof encoding === 'string' ? encoding : undefined);
    } catch (error) {
      internalError(error);
      this.giveUp();
    }
  }

  private onIncomingLine(line: string): void {
    if (this.phase === 'handshake') {
      if (!line.includes('"id"')) return;
      for (const message of parseMessages(line)) {
        const kind = message.method === undefined ? this.handshakeIds.get(message.id) : undefined;
        if (!kind) continue;
        this.handshakeIds.delete(message.id);
        if (message.error !== undefined) {
          // An old server may not know server/discover: the client then sends initialize.
          if (kind === 'server/discover') continue;
          emitServer('failed', { key: this.key, transport: 'stdio', failed: true });
          return this.giveUp();
        }
        const hello = helloOf(message.result);
        if (kind === 'server/discover' && !hello.serverInfo) continue;
        this.phase = 'ready';
        this.handshakeIds.clear();
        emitServer('handshake', { key: this.key, transport: 'stdio', ...hello, failed: false });
        if (sdkFollowedKeys.has(this.key)) this.giveUp();
        return;
      }
      return;
    }
    if (this.pendingLists.size === 0 || !line.includes('"tools"')) return;
    for (const message of parseMessages(line)) {
      if (!this.pendingLists.has(message.id) || message.method !== undefined) continue;
      this.pendingLists.delete(message.id);
      const tools = toolNamesOf(message.result);
      if (tools) emitServer('attempted', { key: this.key, transport: 'stdio', tools });
    }
  }

  private onExit(): void {
    try {
      if (this.phase === 'handshake') {
        emitServer('failed', { key: this.key, transport: 'stdio', failed: true });
      }
      this.giveUp();
    } catch (error) {
      internalError(error);
    }
  }

  /** Stops watching and puts the stream methods back when nobody replaced them since. */
  private giveUp(): void {
    this.phase = 'done';
    this.stack = undefined;
    this.pendingLists.clear();
    try {
      if (this.stdin.write === this.ownWrite) {
        if (Object.getPrototypeOf(this.stdin).write === this.originalWrite) delete (this.stdin as { write?: unknown }).write;
        else this.stdin.write = this.originalWrite;
      }
      if (this.ownPush && this.stdout.push === this.ownPush) {
        if (Object.getPrototypeOf(this.stdout).push === this.originalPush) delete (this.stdout as { push?: unknown }).push;
        else if (this.originalPush) this.stdout.push = this.originalPush;
      }
    } catch (error) {
      internalError(error);
    }
  }
}
