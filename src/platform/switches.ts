/**
 * An on switch in the environment, as the config schema reads one: shared by the schema and the
 * agent's checks before zod loads (register.ts, which may import nothing of ours but its loader,
 * keeps its own copy). An unset or empty value is off and tests no pattern: nearly every process
 * has none of these set.
 */
const ON = /^(1|true|yes|on)$/i;

export const isOn = (value: string | undefined): boolean => Boolean(value?.trim() && ON.test(value.trim()));
