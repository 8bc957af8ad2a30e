// ts-node (CommonJS): compiled by typescript through require hooks.
import fs = require('node:fs');
import cp = require('node:child_process');
enum Kind {
  File = 1,
}
const size: number = fs.readFileSync(__filename).length;
const out: string = cp.execFileSync(process.execPath, ['-e', 'process.stdout.write("child")'], { encoding: 'utf8' });
console.log(`ts-node ${Kind.File} ${size > 0} ${out}`);
