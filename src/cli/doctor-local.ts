/**
 * `aim doctor`'s look at this machine (no network): Node and the hook mode the agent would use,
 * AIM_OUTPUT, hooks turned off, the deployment identity, reports waiting in the spool; and the
 * words for a server that cannot be reached (a TLS failure is said to be one).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import type { LoadedConfig } from '../config/index.js';
import { featuresOf } from '../platform/index.js';
import { defaultSpoolDir, spoolPath } from '../report/aim/files.js';
import { spoolFiles } from '../report/aim/spool.js';

type Say = (message: string) => void;

export function describeThisMachine(config: LoadedConfig, note: Say, failed: Say): void {
  const features = featuresOf();
  const hookMode = features.syncModuleHooks ? 'sync (synchronous module hooks: ES modules and CommonJS seen)' : config.esmLoader ? 'async (AIM_ESM_LOADER: the async loader, about +120 ms)' : 'cjs-only (no synchronous module hooks on this Node: ES-module packages are seen only through their calls; AIM_ESM_LOADER=1 adds the async loader)';
  note(`Node ${process.version}; hook mode ${hookMode}.`);
  if (!config.output) note('AIM_OUTPUT is not set: no inventory files (aim inspect sets its own).');
  else if (writableDirectory(config.output)) note(`AIM_OUTPUT is ${config.output}: each process writes <pid>.json there.`);
  else failed(`AIM_OUTPUT is ${config.output}, which is not a writable directory: the agent would warn AIM-O001 and write nothing.`);
  if (config.disabledHooks.length) note(`AIM_DISABLED_HOOKS turns off: ${config.disabledHooks.join(', ')}.`);
  const identity = [config.environment && `environment ${config.environment}`, config.agentVersion && `version ${config.agentVersion}`, config.tags.length > 0 && `tags ${config.tags.join(', ')}`].filter(Boolean);
  if (identity.length) note(`deployment identity sent to AIM: ${identity.join('; ')}.`);
}

function writableDirectory(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    // The agent creates a missing directory: its parent must be writable then.
    try {
      accessSync(`${dir}/..`, constants.W_OK);
      return !existsSync(dir);
    } catch {
      return false;
    }
  }
}

/** Node's and OpenSSL's codes for a failed TLS handshake or certificate check. */
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;

export function unreachable(origin: string, code: string): string {
  if (TLS_CODE.test(code)) {
    return (
      `TLS failed talking to ${origin} (${code}): the connection was made, but its certificate was not accepted ` +
      '(expired, self-signed, for another host name, or signed by a private CA). For a private CA, give its ' +
      'certificate to Node: NODE_EXTRA_CA_CERTS=/path/to/ca.pem.'
    );
  }
  return `cannot reach ${origin} (${code}). Is AIM running there? For a local one: aim collector.`;
}

/** Reports earlier processes could not send (or running ones have not yet): they wait for the next process, reachable or not. */
export function describeSpool(config: LoadedConfig, url: URL, agentRef: string, note: Say): void {
  let files: string[];
  try {
    files = spoolFiles(spoolPath(config.spoolDir || defaultSpoolDir(), url.href, agentRef)).map((f) => f.file);
  } catch {
    return; // no spool directory
  }
  for (const spool of files) {
    try {
      const data = JSON.parse(readFileSync(spool, 'utf8')) as { capabilities?: unknown[]; detections?: unknown[]; records?: unknown[]; usage?: unknown[]; writtenAt?: string };
      note(
        `reports left unsent by an earlier run wait in ${spool} (${data.capabilities?.length ?? 0} capabilities, ` +
          `${data.detections?.length ?? 0} detections, ${data.records?.length ?? 0} MCP server records, ${data.usage?.length ?? 0} tool usage counts, ` +
          `from ${data.writtenAt}); the next run that reaches AIM sends them.`,
      );
    } catch {
      note(`an unreadable spool file is at ${spool}; it will be ignored.`);
    }
  }
}
