import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { agent } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';

/** Debian's chromium: .ci/run installs it; the test never downloads a browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
/**
 * The page is opened by a host name, as in a deployment, not by a loopback address (which browsers
 * trust like https): plain-HTTP quirks such as upgrade-insecure-requests show up. The name resolves
 * to 127.0.0.1 and any other name to nothing, so the browser cannot reach the network either way.
 */
const HOST = 'guest-checkout.test';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--host-resolver-rules=MAP ${HOST} 127.0.0.1, MAP * ~NOTFOUND`,
];

describe('the docs page in headless Chromium', () => {
  let ctx: TestContext;
  let browser: BrowserContext;
  let userDataDir: string;
  let origin: string;
  let page: Page;
  const requests: { url: string; authorization?: string }[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    // Fails rather than skips: a missing browser must not pass as a green suite.
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    ctx = await createTestContext();
    origin = `http://${HOST}:${(ctx.server.address() as AddressInfo).port}`;
    userDataDir = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (request) =>
      requests.push({ url: request.url(), authorization: request.headers().authorization }),
    );
    page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.url()}: ${response.status()}`);
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await ctx?.close();
  });

  test('when /docs is opened, then every documented operation renders', async () => {
    await page.goto(`${origin}/docs`);
    await page.locator('#operations-Sessions-createSession').waitFor();
    const { body: doc } = await ctx.http.get('/openapi.json');
    const documented = Object.values(doc.paths as Record<string, object>).reduce(
      (n, item) => n + Object.keys(item).length,
      0,
    );
    expect(await page.locator('.opblock').count()).toBe(documented);
    expect(await page.locator('.opblock-summary-path').allTextContents()).toEqual(
      expect.arrayContaining(['/v1/sessions', '/v1/carts/{cartId}/order', '/readyz']),
    );
  }, 60_000);

  test('when a key is entered under Authorize and POST /v1/sessions is tried out, then the 201 shows with the new session', async () => {
    await page.locator('.scheme-container button.authorize').click();
    await page.locator('.dialog-ux .auth-container input').fill(KEYS.a);
    await page.locator('.dialog-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.dialog-ux button.btn-done').click();

    const operation = page.locator('#operations-Sessions-createSession');
    await operation.locator('.opblock-summary-control').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('201');
    const shown = await operation.locator('.live-responses-table .response-col_description pre').first().textContent();
    const anonymousId = (JSON.parse(shown ?? '{}') as { anonymousId?: string }).anonymousId;
    expect(anonymousId).toEqual(expect.any(String));
    // The session the page created is real.
    await agent(ctx).get(`/v1/sessions/${anonymousId}`).expect(200);
    const sent = requests.filter((r) => new URL(r.url).pathname === '/v1/sessions');
    expect(sent.map((r) => r.authorization)).toEqual([`Bearer ${KEYS.a}`]);
    // persistAuthorization: the key survives a reload (kept in this browser's localStorage).
    const { origins } = await browser.storageState();
    const stored = origins
      .find((o) => o.origin === origin)
      ?.localStorage.find((item) => item.name === 'authorized')?.value;
    expect(stored).toContain(KEYS.a);
  }, 60_000);

  test('when the page has been used, then no request left this service and nothing was blocked or failed', () => {
    expect(requests.length).toBeGreaterThan(3);
    const elsewhere = requests
      .map((r) => r.url)
      .filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
