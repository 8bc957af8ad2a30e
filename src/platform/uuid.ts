const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID (AIM's agent ids): an AIM_AGENT_ID that is not one is a name. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
