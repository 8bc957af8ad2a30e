import { fileURLToPath } from 'node:url';

/**
 * The path of a `file:` URL (a string from a stack frame, or a URL object a program passed),
 * undefined for any other URL or one Node cannot turn into a path (an encoded `/`).
 */
export function pathOfFileUrl(url: string | URL): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
