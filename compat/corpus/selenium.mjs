// selenium-webdriver with the system's chromedriver: one session, one page title.
import { Builder } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';
const options = new chrome.Options().setChromeBinaryPath(process.env.CHROMIUM).addArguments('--headless=new', '--no-sandbox');
const service = new chrome.ServiceBuilder(process.env.CHROMEDRIVER);
const driver = await new Builder().forBrowser('chrome').setChromeOptions(options).setChromeService(service).build();
try {
  await driver.get('data:text/html,<title>hello</title>');
  console.log('selenium', await driver.getTitle());
} finally {
  await driver.quit();
}
