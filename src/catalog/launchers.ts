/**
 * Node processes that are tooling, not the agent: under NODE_OPTIONS they are preloaded too, but
 * their own file and process activity is not the program's. Matched against the entry script path
 * (`entry`, whose matches all contain the launcher's name) or one of node's own flags (`execArg`).
 */
export const launchers: readonly { name: string; entry?: RegExp; execArg?: string }[] = [
  { name: 'npm', entry: /[\\/]npm[\\/]bin[\\/]npm-cli\.js$|[\\/]bin[\\/]npm$/ },
  { name: 'npx', entry: /[\\/]npm[\\/]bin[\\/]npx-cli\.js$|[\\/]bin[\\/]npx$/ },
  { name: 'pnpm', entry: /[\\/]pnpm[\\/](bin[\\/]pnpm\.c?js|dist[\\/]pnpm\.c?js)$|[\\/]bin[\\/]pnpm$/ },
  { name: 'yarn', entry: /[\\/]yarn[\\/]bin[\\/]yarn(\.js)?$|[\\/]bin[\\/]yarn$|yarn-[\d.]+\.c?js$/ },
  { name: 'corepack', entry: /[\\/]corepack[\\/]dist[\\/]corepack\.js$|[\\/]bin[\\/]corepack$/ },
  { name: 'tsx', entry: /[\\/]tsx[\\/]dist[\\/]cli\.m?js$|[\\/]\.bin[\\/]tsx$/ },
  // `node --test`: the runner only starts the test files, each in a process of its own.
  { name: 'node-test-runner', execArg: '--test' },
];

/**
 * Runs in every process at startup: the name check first spares compiling the patterns for an
 * entry that cannot match (compiling all six was 0.26 ms on Node 22, profiled).
 */
export function launcherOf(entry: string | undefined, execArgv: readonly string[] = []): string | undefined {
  return launchers.find(
    (l) => (entry !== undefined && l.entry !== undefined && entry.includes(l.name) && l.entry.test(entry)) || (l.execArg !== undefined && execArgv.includes(l.execArg)),
  )?.name;
}
