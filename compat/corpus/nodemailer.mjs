// nodemailer sending one message over SMTP (a local relay).
import nodemailer from 'nodemailer';
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env.SMTP_PORT), secure: false, ignoreTLS: true });
const info = await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'hi', text: 'hello' });
console.log('mail', info.accepted.length);
