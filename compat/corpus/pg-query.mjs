// node-postgres as its docs show: a Client, a table, an insert with parameters, a select.
import pg from 'pg';
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
await client.query('CREATE TABLE IF NOT EXISTS notes (id serial primary key, body text)');
await client.query('INSERT INTO notes (body) VALUES ($1)', ['hello']);
const { rows } = await client.query('SELECT count(*)::int AS n FROM notes');
console.log('notes', rows[0].n > 0);
await client.end();
