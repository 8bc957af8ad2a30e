import { closeSync, openSync, readSync } from 'node:fs';
import { quietly } from '../platform/index.js';

/**
 * Whether the entry file is a bundle (esbuild, webpack, rollup, ncc): then the packages inside it
 * never resolve as modules, and the inventory must say its visibility is partial. Bundlers put
 * their runtime at the top of the file, so the first 4 KiB tell.
 */
const BUNDLE_MARKERS = [
  /\bvar __commonJS = /, // esbuild
  /\b__toESM\b/, // esbuild
  /webpackBootstrap|__webpack_require__/, // webpack, ncc
  /\bfunction getDefaultExportFromCjs\b|\bcommonjsGlobal\b/, // rollup with @rollup/plugin-commonjs
];
const HEAD_BYTES = 4096;

export function isBundled(entry: string | undefined): boolean {
  return quietly(() => readsLikeBundle(entry));
}

function readsLikeBundle(entry: string | undefined): boolean {
  if (!entry || entry.includes('/node_modules/')) return false;
  let fd: number | undefined;
  try {
    fd = openSync(entry, 'r');
    const head = Buffer.alloc(HEAD_BYTES);
    const text = head.toString('utf8', 0, readSync(fd, head, 0, HEAD_BYTES, 0));
    return BUNDLE_MARKERS.some((marker) => marker.test(text));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
