// A worker thread that runs a command and fetches nothing: the main thread only starts it.
const { Worker } = require('node:worker_threads');
const worker = new Worker(`
  const { execFileSync } = require('node:child_process');
  const { parentPort } = require('node:worker_threads');
  parentPort.postMessage(execFileSync(process.execPath, ['-e', 'process.stdout.write("42")'], { encoding: 'utf8' }));
`, { eval: true });
worker.once('message', (out) => console.log('worker', out));
