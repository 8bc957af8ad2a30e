import { warn } from '../platform/index.js';

/**
 * The circuit breaker: a hook that throws is a bug in us. Each error is caught and counted; after
 * a few, every hook stops observing and the agent goes inert, and the app never notices.
 */
const MAX_ERRORS = 5;

export const health = { errors: 0, inert: false };

export function internalError(error: unknown): void {
  health.errors++;
  if (health.errors >= MAX_ERRORS && !health.inert) {
    health.inert = true;
    warn('AIM-H002', `internal errors in the hooks (${describe(error)}); the agent stopped observing. The application is unaffected.`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'unknown error';
}
