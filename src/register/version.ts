/** The agent's version, inlined at build time from package.json. */
declare const __AIM_VERSION__: string | undefined;
export const version: string = typeof __AIM_VERSION__ === 'string' ? __AIM_VERSION__ : '0.0.0-dev';
