// puppeteer-core driving the system's Chromium: open a page from a data: URL, read its title.
import puppeteer from 'puppeteer-core';
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.goto('data:text/html,<title>hello</title>');
console.log('puppeteer', await page.title());
await browser.close();
