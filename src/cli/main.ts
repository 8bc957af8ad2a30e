/**
 * `aim <command>`: the one place that may write to stdout. Each command lives in its own file,
 * is loaded only when asked for, and answers `--help` itself; adding a command is adding a row.
 *
 * Exit codes (docs/cli.md): 0 success, 1 failure (doctor: reporting would not work), 2 a usage
 * error; `run` and `inspect` exit with the command's own code (128 + n, or the same signal, when a
 * signal ended it; 127 when it was not found).
 */
type Command = (args: string[]) => Promise<number>;

interface CommandRow {
  /** `aim help`: how to call it, and what it does. */
  synopsis: string;
  purpose: string;
  /** Runs a command of its own: `--help` counts only before it (`aim run node --help` is node's). */
  takesCommand?: boolean;
  load: () => Promise<Command>;
}

const commands: Record<string, CommandRow> = {
  inspect: {
    synopsis: 'inspect [--json | --format F] [--out FILE] [--] <command> [args...]',
    purpose: 'run a command, then print what it can do',
    takesCommand: true,
    load: async () => (await import('./inspect.js')).inspect,
  },
  policy: {
    synopsis: 'policy [--json] [--out FILE] [--node V] (-- <command> [args...] | <inventories...>)',
    purpose: "Node permission flags for what a program was seen doing",
    takesCommand: true,
    load: async () => (await import('./policy.js')).policy,
  },
  run: {
    synopsis: 'run [--] <command> [args...]',
    purpose: 'run a command with the agent preloaded',
    takesCommand: true,
    load: async () => (await import('./run.js')).run,
  },
  doctor: {
    synopsis: 'doctor',
    purpose: 'check the configuration and reach AIM',
    load: async () => (await import('./doctor.js')).doctor,
  },
  collector: {
    synopsis: 'collector [--port N] [--host H] [--store FILE] ...',
    purpose: 'a local AIM-compatible server',
    load: async () => (await import('./collector.js')).collector,
  },
};

declare const __AIM_VERSION__: string;
const version = typeof __AIM_VERSION__ === 'string' ? __AIM_VERSION__ : '0.0.0-dev';

function usage(): string {
  return [
    `aim ${version}: what a Node.js AI agent can really do`,
    '',
    'usage: aim <command> [options]',
    '',
    ...lines([
      ...Object.values(commands).map((c): [string, string] => [c.synopsis, c.purpose]),
      ['help [command]', "this text, or a command's own (also: aim <command> --help)"],
      ['--version', 'the version'],
    ]),
    '',
    'Preload the agent without the CLI: node --import aim/register app.js',
    'Exit codes: 0 done, 1 failed, 2 usage error; run and inspect exit with the command\'s own code.',
    'Documentation: README.md and docs/ in the package (node_modules/aim/docs).',
    '',
  ].join('\n');
}

function lines(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([synopsis]) => synopsis.length));
  return rows.map(([synopsis, purpose]) => `  aim ${synopsis.padEnd(width)}   ${purpose}`);
}

/** `--help`/`-h` among the command's own options (not the program's, after `--` or its name). */
function wantsHelp(args: string[], row: CommandRow): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
    if (row.takesCommand && !arg.startsWith('-')) return false;
  }
  return false;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (name === undefined) {
    process.stderr.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0] === undefined ? undefined : commands[rest[0]];
    if (topic) return (await topic.load())(['--help']);
    if (rest[0] !== undefined) return unknown(rest[0]);
    process.stdout.write(usage());
    return 0;
  }
  const command = commands[name];
  if (!command) return unknown(name);
  const run = await command.load();
  return run(wantsHelp(rest, command) ? ['--help'] : rest);
}

function unknown(name: string): number {
  process.stderr.write(`aim: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
