// A pg client whose server is down: the connection is refused; the program still tried the network.
import pg from 'pg';
const client = new pg.Client({ host: '127.0.0.1', port: Number(process.env.CLOSED_PORT), user: 'x', database: 'x' });
try {
  await client.connect();
} catch (error) {
  console.log('refused', error.code);
}
