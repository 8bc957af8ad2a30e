// playwright-core driving the system's Chromium (no browser download): one page, its title.
import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.setContent('<title>hello</title>');
console.log('playwright', await page.title());
await browser.close();
