// cross-spawn looks the command up on PATH (which + isexe: stat calls), then spawns it.
const spawn = require('cross-spawn');
const child = spawn.sync('node', ['-e', 'process.exit(0)'], { stdio: 'ignore' });
console.log('exit', child.status);
