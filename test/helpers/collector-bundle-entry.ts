/** What fixtures/report/app.cjs needs, bundled like dist/reporter.cjs (zod inside). */
export { Inventory } from '../../src/inventory/index.js';
export { startAimReporter } from '../../src/report/aim/entry.js';
export { loadConfig } from '../../src/config/index.js';
