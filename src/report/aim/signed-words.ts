import type { PendingCapability } from './payload.js';
import type { SignedIdentity } from './signed.js';

/** The signed generation's small readers and words (signed.ts). */
export function describe(capability: PendingCapability): string {
  const evidence = Array.isArray(capability.scope.evidence) ? (capability.scope.evidence as { api?: unknown; who?: unknown }[]) : [];
  const first = evidence[0];
  const text = first ? `Observed by aim-node: ${String(first.api)} (${String(first.who)})` : 'Observed by aim-node';
  return text.slice(0, 300);
}

export function conflictMessage(identity: SignedIdentity): string {
  return (
    `AIM already has an agent named ${JSON.stringify(identity.name)} (HTTP 409), and this machine has no credentials for it ` +
    `(${identity.credentialsFile} is missing: its private key was lost, or it was registered elsewhere). AIM cannot give a private key back. ` +
    'Reporting is off. To recover: copy the credentials file from the machine that registered the agent, or set AIM_AGENT_ID and AIM_PRIVATE_KEY; ' +
    'or delete the old agent in AIM and run again; or pick a new name with AIM_AGENT_NAME.'
  );
}
