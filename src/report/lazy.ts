/**
 * Built to dist/reporter.cjs and loaded only when there is something to send: zod (config
 * validation) and the AIM client never cost the application's startup.
 */
import { loadConfig } from '../config/index.js';
import type { Inventory } from '../inventory/index.js';
import { startAimReporter, type AimReporter } from './aim/entry.js';

export function startReporting(inventory: Inventory): AimReporter | undefined {
  const config = loadConfig();
  if (config.reportingAllowed && (config.apiKey || (config.agentId && config.privateKey))) return startAimReporter(inventory, config);
  return undefined;
}
