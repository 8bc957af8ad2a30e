/**
 * `aim <command>`: the one place that may write to stdout. Each command lives in its own file
 * and is loaded only when asked for.
 */
type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  inspect: {
    summary: 'inspect [--json] [--out FILE] -- <command> [args...]   run a command and print what it can do',
    load: async () => (await import('./inspect.js')).inspect,
  },
  run: {
    summary: 'run [--] <command> [args...]                          run a command with the agent preloaded',
    load: async () => (await import('./run.js')).run,
  },
  collector: {
    summary: 'collector [--port N] [--host H] [--store FILE]        a local AIM-compatible server',
    load: async () => (await import('./collector.js')).collector,
  },
  doctor: {
    summary: 'doctor                                                check the configuration and reach AIM',
    load: async () => (await import('./doctor.js')).doctor,
  },
};

function usage(): string {
  return ['usage: aim <command>', '', ...Object.values(commands).map((c) => `  aim ${c.summary}`), ''].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`aim: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  return (await command.load())(rest);
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
