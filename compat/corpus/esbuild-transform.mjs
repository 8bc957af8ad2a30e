// esbuild's transform(): the JS API starts esbuild's service binary (child_process.spawn from
// esbuild's own CommonJS file) and talks to it over its stdio.
import * as esbuild from 'esbuild';
const result = await esbuild.transform('let x: number = 1; export default x', { loader: 'ts' });
console.log(result.code.trim().split('\n').length > 0 ? 'transformed' : 'empty');
