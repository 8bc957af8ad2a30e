import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The agent's name: AIM_AGENT_NAME, else the app's package.json name (nearest to the entry
 * file, then the working directory), else the entry file's name.
 */
export function agentNameFor(explicit: string, argv: string[], cwd: string): string {
  if (explicit) return explicit;
  const entry = argv[1] ? path.resolve(cwd, argv[1]) : undefined;
  const starts = [entry ? path.dirname(entry) : undefined, cwd].filter((d): d is string => Boolean(d));
  for (const start of starts) {
    let dir = start;
    for (let i = 0; i < 20; i++) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
        if (typeof pkg.name === 'string' && pkg.name.trim()) return pkg.name.trim().slice(0, 255);
      } catch {
        // no (readable) package.json here
      }
      if (dir.split(path.sep).includes('node_modules')) break;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  if (entry) return path.basename(entry).replace(/\.[cm]?[jt]sx?$/, '').slice(0, 255) || 'node-agent';
  return 'node-agent';
}
