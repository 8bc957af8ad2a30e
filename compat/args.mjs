import path from 'node:path';

/**
 * The command line both compat runners take (run.mjs, corpus.mjs): `--only a,b`, `--node PATH`,
 * `--register PATH`, `--json PATH`, and a runner's own flags in `extra` (flag -> apply(opts, next),
 * `next()` reading the flag's value). Fills and returns `opts` (its defaults); throws on an unknown flag.
 */
export function parseRunnerArgs(argv, opts, extra = {}) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--only') opts.only = next().split(',');
    else if (a === '--node') opts.node = next();
    else if (a === '--register') opts.register = path.resolve(next());
    else if (a === '--json') opts.json = path.resolve(next());
    else if (Object.hasOwn(extra, a)) extra[a](opts, next);
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}
