/** `node <bundle> collector|doctor ...`: the two CLI commands of issue 4, bundled for child-process tests. */
import { collector } from '../../src/cli/collector.js';
import { doctor } from '../../src/cli/doctor.js';

const [name, ...rest] = process.argv.slice(2);
const command = name === 'collector' ? collector : name === 'doctor' ? doctor : undefined;
if (!command) {
  process.stderr.write('usage: collector|doctor ...\n');
  process.exitCode = 2;
} else {
  command(rest).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`aim: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
