import type { Caller } from '../observations/index.js';
import { pathOfFileUrl } from '../platform/index.js';

/**
 * Who made a call, from the calling frames, without running the app's Error.prepareStackTrace.
 * `undefined` means it was not the program's use: Node loading modules, or aim itself.
 */

/** Deep enough for a fetch: `undici:request:create` fires about 27 frames below the caller. */
const FRAME_LIMIT = 40;
/**
 * Most calls are decided in the first few frames (the app's own line, or Node's module loader
 * right above the wrapper); V8's cost grows with the frames it captures, so look at these first.
 */
const FIRST_LOOK = 8;

/** Our own directory (dist/ when built): calls from there are ours. */
const ownFile = typeof __filename === 'string' ? __filename : '\0';
export const ownDirectory = directoryOf(ownFile);


function directoryOf(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut > 0 ? file.slice(0, cut + 1) : '\0';
}

const returnFrames = (_: Error, frames: NodeJS.CallSite[]): NodeJS.CallSite[] => frames;

/**
 * A stack captured with our own formatter (`prepare`; undefined for V8's text) and a depth of
 * FRAME_LIMIT, whatever the app set: neither its Error.prepareStackTrace nor its limit runs.
 */
function captureStack(
  skip: Function | undefined,
  prepare: ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined,
  limit = FRAME_LIMIT,
): unknown {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, skip);
    return holder.stack;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

function captureFrames(skip: Function, limit: number): NodeJS.CallSite[] {
  const frames = captureStack(skip, returnFrames, limit);
  return Array.isArray(frames) ? (frames as NodeJS.CallSite[]) : [];
}

/** The current stack as V8's text. */
export function stackText(): string | undefined {
  try {
    const text = captureStack(stackText, undefined);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The file path of a frame: `file://` URLs as paths, `node:` ids as they are. */
function fileOf(frame: NodeJS.CallSite): string | undefined {
  const name = frame.getFileName() ?? undefined;
  if (!name) return undefined;
  return name.startsWith('file://') ? (pathOfFileUrl(name) ?? name) : name;
}

/** The package's own directory in a path under it: `/app/node_modules/@s/p/lib/x.js` → `/app/node_modules/@s/p`. */
export function packageDirOf(path: string, name: string): string | undefined {
  const at = path.lastIndexOf(`/node_modules/${name}/`);
  return at < 0 ? undefined : path.slice(0, at + `/node_modules/${name}`.length);
}

/** A file URL's path part as a file path: decoded only when it has escapes (most have none). */
export function decodedPath(urlPath: string): string {
  return urlPath.includes('%') ? decodeURIComponent(urlPath) : urlPath;
}

/**
 * `pkg` or `@scope/pkg` of the last `node_modules` segment of a path (either slash). Called for
 * every file of the require.cache scans: index arithmetic, not a normalized copy and a split.
 */
export function packageOfPath(path: string): string | undefined {
  const normal = path.includes('\\') ? path.replace(/\\/g, '/') : path;
  const at = normal.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const start = at + NODE_MODULES.length;
  const end = segmentEnd(normal, start);
  if (end === start) return undefined;
  if (normal.charCodeAt(start) === AT_SIGN && end < normal.length) {
    const scopedEnd = segmentEnd(normal, end + 1);
    if (scopedEnd > end + 1) return normal.slice(start, scopedEnd);
  }
  return normal.slice(start, end);
}

const NODE_MODULES = '/node_modules/';
const AT_SIGN = 0x40;

/** Where the path segment that starts at `from` ends. */
function segmentEnd(path: string, from: number): number {
  const slash = path.indexOf('/', from);
  return slash < 0 ? path.length : slash;
}

/**
 * Whether nothing of the program's has run yet: every frame below ours is Node's own, as when
 * aim is a preload (`--import`, `--require`, NODE_OPTIONS). Not so when a bundle or a script
 * loads aim/register itself: its code ran first and may hold builtins already.
 */
export function startedBeforeTheProgram(): boolean {
  return captureFrames(startedBeforeTheProgram, FRAME_LIMIT).every((frame) => {
    const file = fileOf(frame);
    return !file || file.startsWith('node:') || file.startsWith(ownDirectory);
  });
}

/**
 * Walks the frames from the caller down: Node internals are skipped, except module loading (the
 * CJS loader reads every module through the public fs), which is not use; our own frames are not
 * use unless code of the program's runs above them; the first other frame says who. The location
 * is the first application frame, if any.
 * `internalIsApp`: a stack of nothing but Node's frames counts as the app's (network channels).
 */
export function callerOf(skip: Function, internalIsApp = false): Caller | undefined {
  const first = captureFrames(skip, FIRST_LOOK);
  const decided = callerInFrames(first, first.length < FIRST_LOOK, internalIsApp);
  if (decided !== undecided) return decided;
  return callerInFrames(captureFrames(skip, FRAME_LIMIT), true, internalIsApp) as Caller | undefined;
}

const undecided = Symbol('undecided');

/** `complete`: these are all the frames there are; otherwise deeper ones may still decide. */
function callerInFrames(frames: NodeJS.CallSite[], complete: boolean, internalIsApp: boolean): Caller | undefined | typeof undecided {
  let who: string | undefined;
  let via: string | undefined;
  for (const frame of frames) {
    const file = fileOf(frame);
    if (!file) continue;
    if (file.startsWith('node:')) {
      if (file.startsWith('node:internal/modules/')) return who ? { who } : undefined;
      continue;
    }
    const pkg = packageOfPath(file);
    if (file.startsWith(ownDirectory)) {
      // The agent's own file only passes calls through (a patched `http.get` or MCP client
      // method calling the original, which then opens a socket or spawns): its own I/O runs
      // quietly and never gets here. Any other file of ours (the reporter) is aim's own call.
      if (file === ownFile) continue;
      if (!who) return undefined;
      continue;
    }
    if (pkg) {
      who ??= pkg;
      via = pkg;
      continue;
    }
    const location = `${file}:${frame.getLineNumber() ?? 0}`;
    return via && via !== who ? { who: who!, location, via } : { who: who ?? 'app', location };
  }
  if (!complete) return undecided;
  // Only Node's own frames: Node working for itself, or for the program asynchronously (the
  // socket of a fetch is opened from undici's own frames); the channels say which they mean.
  if (who) return via && via !== who ? { who, via } : { who };
  return internalIsApp && frames.length > 0 ? { who: 'app' } : undefined;
}
