// A pg Pool that only reads (a reporting job): SELECTs over pooled connections, from CommonJS.
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 3 });
Promise.all([1, 2, 3].map((n) => pool.query('SELECT $1::int AS n', [n])))
  .then((results) => console.log('rows', results.map((r) => r.rows[0].n).join(',')))
  .finally(() => pool.end());
