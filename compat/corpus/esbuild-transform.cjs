// esbuild's transform() from CommonJS: the same service spawn, from a require()d esbuild.
const esbuild = require('esbuild');
esbuild.transform('let x: number = 1; module.exports = x', { loader: 'ts' }).then((r) => console.log(r.code.length > 0 ? 'transformed' : 'empty'));
