/**
 * Worker threads. With `--require` (as `aim run`, aim-entrypoint and NODE_OPTIONS=--require set
 * it) Node runs the preload in every worker too: there the agent installs the same hooks and
 * hands each observation to the main thread's agent over a BroadcastChannel, which joins it to the
 * process inventory with the worker's thread id on the evidence. A worker writes no file, loads no
 * reporter and adds no listener to the process. Both ends are unref'd: they never hold a thread.
 */
import { installHooks, whenBuiltinLoaded } from '../hooks/index.js';
import { observe, setObserver, type Observation } from '../observations/index.js';
import { featuresOf } from '../platform/index.js';
import { disabledHooks } from './startup-settings.js';

const CHANNEL = 'aim.worker-observations';

interface WorkerMessage {
  thread: number;
  observation: Observation;
}

interface Channel {
  postMessage(message: unknown): void;
  unref?(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

function openChannel(): Channel | undefined {
  const Broadcast = (globalThis as { BroadcastChannel?: new (name: string) => Channel }).BroadcastChannel;
  if (!Broadcast) return undefined;
  const channel = new Broadcast(CHANNEL);
  channel.unref?.();
  return channel;
}

/** Whether this is a worker thread, without loading worker_threads where nobody has. */
export function onWorkerThread(): boolean {
  const list = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  if (Array.isArray(list) && !list.includes('NativeModule worker_threads')) return false;
  const threads = process.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  return threads ? !threads.isMainThread : false;
}

/** In a worker: the hooks, with observations sent to the main thread. */
export function startInWorker(): void {
  const channel = openChannel();
  if (!channel) return;
  const threads = process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
  const thread = threads.threadId;
  setObserver((observation) => {
    try {
      channel.postMessage({ thread, observation } satisfies WorkerMessage);
    } catch {
      // Not cloneable (it always is: observations are plain data); nothing to tell.
    }
  });
  // MCP discovery stays on the main thread (its layer loads from there).
  installHooks(featuresOf(), { disabled: disabledHooks() });
}

/**
 * In the main thread: listen once worker_threads is loaded (nobody can start a worker before),
 * so a process without workers never pays for the channel. An ES module's `import` of it is not
 * seen where Node has no synchronous module hooks (Node 20, 22 before 22.15): there Node's
 * `worker_threads` diagnostics channel, published as a worker is created and before it runs,
 * opens the channel in time.
 */
export function joinWorkers(): void {
  let open = false;
  const listen = (): void => {
    if (open) return;
    open = true;
    const channel = openChannel();
    if (!channel) return;
    channel.onmessage = (event) => {
      const message = event.data as WorkerMessage | undefined;
      if (message?.observation) observe(markedFromWorker(message));
    };
  };
  whenBuiltinLoaded('worker_threads', listen);
  const diagnostics = process.getBuiltinModule?.('node:diagnostics_channel') as typeof import('node:diagnostics_channel') | undefined;
  diagnostics?.subscribe('worker_threads', function aimJoinWorker() {
    try {
      listen();
    } catch {
      // a worker's facts missed; the program goes on
    }
  });
}

/** The observation with its caller marked as the worker's (observations without a caller stay as they are). */
function markedFromWorker({ thread, observation }: WorkerMessage): Observation {
  if ('caller' in observation && observation.caller) return { ...observation, caller: { ...observation.caller, thread } } as Observation;
  return observation;
}
