// A server that only listens (express), then shuts down: no client use at all.
import express from 'express';
const app = express();
app.get('/', (_req, res) => res.send('ok'));
const server = app.listen(0, '127.0.0.1', () => {
  console.log('listening', server.address().port > 0);
  server.close();
});
