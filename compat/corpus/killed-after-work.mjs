// A stdio-server-like process: it does its work (writes a file, spawns a command), says ready,
// and waits to be killed with SIGTERM, the way MCP stdio servers end. It installs no handler.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
setTimeout(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-killed-'));
  fs.writeFileSync(path.join(dir, 'out.txt'), 'done');
  execFileSync(process.execPath, ['-e', '0']);
  console.log('ready');
}, 300);
setInterval(() => {}, 1000);
