// Needs a real TypeScript transform (enum, parameter properties), not only type stripping.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

enum Mode {
  Read = 'read',
  Exec = 'exec',
}
class Step {
  constructor(private readonly mode: Mode) {}
  run(): string {
    if (this.mode === Mode.Read) return String(readFileSync(new URL(import.meta.url)).length > 0);
    return execFileSync(process.execPath, ['-e', 'process.stdout.write("child")'], { encoding: 'utf8' });
  }
}
console.log([new Step(Mode.Read).run(), new Step(Mode.Exec).run()].join(' '));
