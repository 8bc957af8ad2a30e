/**
 * Node processes that are tooling, not the agent: under NODE_OPTIONS they are preloaded too, but
 * their own file and process activity is not the program's. Matched against the entry script path.
 */
export const launchers: readonly { name: string; entry?: RegExp; execArg?: RegExp }[] = [
  { name: 'npm', entry: /[\\/]npm[\\/]bin[\\/]npm-cli\.js$|[\\/]bin[\\/]npm$/ },
  { name: 'npx', entry: /[\\/]npm[\\/]bin[\\/]npx-cli\.js$|[\\/]bin[\\/]npx$/ },
  { name: 'pnpm', entry: /[\\/]pnpm[\\/](bin[\\/]pnpm\.c?js|dist[\\/]pnpm\.c?js)$|[\\/]bin[\\/]pnpm$/ },
  { name: 'yarn', entry: /[\\/]yarn[\\/]bin[\\/]yarn(\.js)?$|[\\/]bin[\\/]yarn$|yarn-[\d.]+\.c?js$/ },
  { name: 'corepack', entry: /[\\/]corepack[\\/]dist[\\/]corepack\.js$|[\\/]bin[\\/]corepack$/ },
  { name: 'tsx', entry: /[\\/]tsx[\\/]dist[\\/]cli\.m?js$|[\\/]\.bin[\\/]tsx$/ },
  // `node --test`: the runner only starts the test files, each in a process of its own.
  { name: 'node-test-runner', execArg: /^--test$/ },
];

export function launcherOf(entry: string | undefined, execArgv: readonly string[] = []): string | undefined {
  return launchers.find(
    (l) => (entry !== undefined && l.entry?.test(entry)) || (l.execArg && execArgv.some((arg) => l.execArg!.test(arg))),
  )?.name;
}
