/** AIM's `namespace:action` capability ids (protocol section 4.1), plus `ai:model_call`. */
export const capabilityIds = [
  'file:read',
  'file:write',
  'file:delete',
  'system:exec',
  'network:connect',
  'network:listen',
  'api:call',
  'db:read',
  'db:write',
  'ai:model_call',
  'mcp:tool_use',
  'mcp:resource_read',
] as const;

export type CapabilityId = (typeof capabilityIds)[number];
