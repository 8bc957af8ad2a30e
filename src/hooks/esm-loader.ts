/**
 * The opt-in async ESM loader (AIM_ESM_LOADER=1 on Node without synchronous hooks), built to
 * dist/esm-loader.mjs and run on Node's loader thread. It imports nothing: it passes every
 * resolution through unchanged and posts the URLs worth knowing (builtins, packages) to the main
 * thread, once each.
 */
import type { MessagePort } from 'node:worker_threads';

let port: MessagePort | undefined;
const posted = new Set<string>();

export function initialize(data: { port?: MessagePort } | undefined): void {
  port = data?.port;
}

interface Resolved {
  url: string;
}

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => Promise<Resolved>,
): Promise<Resolved> {
  const result = await nextResolve(specifier, context);
  const url = result.url;
  if (port && !posted.has(url) && (url.startsWith('node:') || url.includes('/node_modules/'))) {
    posted.add(url);
    try {
      port.postMessage(url);
    } catch {
      // The main thread went away; resolution goes on.
    }
  }
  return result;
}
