// A config search: looks for files by name, reads none (none exists), then prints defaults.
import fs from 'node:fs';
import path from 'node:path';
const names = ['.toolrc', '.toolrc.json', 'tool.config.js'];
const found = names.map((n) => path.join(process.cwd(), n)).find((p) => fs.existsSync(p));
try { fs.accessSync(path.join(process.cwd(), 'package.json.missing')); } catch {}
const stat = await fs.promises.stat(process.cwd());
console.log('config', found ?? 'defaults', stat.isDirectory());
