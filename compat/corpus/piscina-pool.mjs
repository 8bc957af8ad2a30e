// A piscina worker pool: each task reads a file in a worker thread; the main thread only waits.
import Piscina from 'piscina';
const pool = new Piscina({ filename: new URL('./piscina-task.cjs', import.meta.url).href, maxThreads: 2 });
const sizes = await Promise.all([1, 2].map(() => pool.run(new URL('./mocha-suite/fixture.txt', import.meta.url).pathname)));
console.log('pool', sizes.join(','));
await pool.destroy();
