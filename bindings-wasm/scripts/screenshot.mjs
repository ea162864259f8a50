// docs/web-page.png: the token page in Chromium after a token was generated, for the README.
// The key field is cleared before the picture is taken, so no key appears in it.
//
//   node bindings-wasm/scripts/screenshot.mjs   (after make wasm and npm ci in bindings-wasm)

import fs from 'node:fs';
import path from 'node:path';
import { launch, serve } from '../test/browser.mjs';
import { KEYS, REPOSITORY } from '../test/helpers.mjs';

const site = await serve({ '/': path.join(REPOSITORY, 'web') });
const context = await launch({ viewport: { width: 820, height: 1180 } });
try {
  const page = await context.newPage();
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('body[data-ready=true]');
  const field = (label) => page.locator('#generate').getByLabel(label, { exact: true });
  await field('Private key').fill(fs.readFileSync(path.join(KEYS, 'tmobile', 'readme-private-pkcs8.pem'), 'utf8'));
  await field('Authorization').fill('Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS');
  await field('URI').fill('https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000');
  await field('Body').fill('{"orderId": 100}');
  await page.getByRole('button', { name: 'Generate PoP token' }).click();
  await field('Private key').fill('');
  await page.locator('#generate').screenshot({ path: path.join(REPOSITORY, 'docs', 'web-page.png') });
} finally {
  await context.close();
  await site.close();
}
