// A health check that opens a TCP socket to PostgreSQL's well-known port and closes it: network
// use, not database use (no driver, no statement).
const net = require('node:net');
const socket = new net.Socket();
socket.setTimeout(2000);
const done = (what) => { console.log('probe', what); socket.destroy(); };
socket.once('connect', () => done('open')).once('error', () => done('closed')).once('timeout', () => done('timeout'));
socket.connect(5432, '127.0.0.1');
