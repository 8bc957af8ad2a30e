/**
 * `import()` for the agent. When the agent runs from V8's code cache it is a vm.Script
 * (src/register/load-agent.ts), and a vm.Script's own import() needs Node's
 * USE_MAIN_CONTEXT_DEFAULT_LOADER, which prints an ExperimentalWarning on Node 22.23+, 24 and 26
 * and, on Node 20, stops working once the script comes from the cache. So the loader hands the
 * agent an import() of its own module as `__aimImport`; a plain require of the agent has none.
 */
declare const __aimImport: ((specifier: string) => Promise<unknown>) | undefined;

export function importModule(specifier: string): Promise<unknown> {
  return typeof __aimImport === 'function' ? __aimImport(specifier) : import(specifier);
}
