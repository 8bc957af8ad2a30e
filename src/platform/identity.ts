/**
 * How aim's own requests name themselves (User-Agent), for AIM's logs. Never how aim recognises
 * its own traffic: any program can send this header (see own-agents.ts).
 */
export const OWN_USER_AGENT_PREFIX = 'aim-node/';

/** aim's own npm name: never listed among the program's packages. */
export const OWN_PACKAGE_NAME = 'aim';
