/**
 * The web UI in a real browser (playwright-core driving Debian's chromium, which .ci/run installs
 * as root): open the NameNode's page, see 3 LIVE DataNodes, kill -9 the one holding the most
 * replicas, and watch — without reloading — its row turn DEAD, the STALE and DEAD events appear,
 * re-replication run and the under-replicated count come back to 0. Screenshots go to
 * test-output/ui/. Skips, saying why, when /usr/bin/chromium is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { DfsClient } from '@minidfs/client';
import { TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '../../test-output/ui');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
/** How long the page may take to show a change the NameNode already made (SSE + render). */
const UI_TIMEOUT_MS = 15_000;

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`test/e2e/ui.test.ts skipped: ${CHROMIUM} not found (install it with \`apt-get install -y chromium\`; .ci/run does as root)`);
}
const describeWithBrowser = haveChromium ? describe : describe.skip;

describeWithBrowser(`web UI in chromium (${CHROMIUM})`, () => {
  let cluster: TestCluster;
  let context: BrowserContext | undefined;
  let profileDir: string;

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-chromium-'));
    cluster = await TestCluster.start(3);
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await cluster?.stop();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  });

  /**
   * Polls a browser-side expression until it is truthy. Evaluated over CDP (page.evaluate), not with
   * waitForFunction, whose in-page polling needs eval and the page's CSP rightly forbids it. String
   * form, so the test compiles without DOM types.
   */
  const until = (page: Page, expression: string, timeoutMs = UI_TIMEOUT_MS) =>
    waitFor(`page: ${expression}`, async () => (await page.evaluate(expression)) === true, timeoutMs, 50);
  const text = (selector: string) => `(document.querySelector(${JSON.stringify(selector)}) || {}).textContent`;

  test('3 LIVE; a killed DataNode turns DEAD, its events appear and the cluster heals, all without a reload', async () => {
    const base = `http://127.0.0.1:${cluster.httpPort}`;
    // Data first: replication 2 on 3 nodes, so a dead node's blocks can heal onto the third.
    const client = new DfsClient({ namenode: cluster.namenodeAddress });
    try {
      await client.writeFile('/ui/data.bin', Buffer.alloc(4 * 65536, 42), { replication: 2, blockSizeBytes: 65536 });
    } finally {
      client.close();
    }
    await waitFor('fsck healthy with 4 blocks', async () => {
      const f = await (await fetch(`${base}/api/fsck`)).json() as { blocks: number; healthy: boolean };
      return f.blocks === 4 && f.healthy;
    });

    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 },
    });
    const page = context.pages()[0] ?? await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
    const external: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });

    try {
      await page.goto(base);
      await until(page, `${text('[data-summary="live"]')} === '3'`);
      await until(page, `document.querySelectorAll('#datanodes tbody tr[data-state="LIVE"]').length === 3`);
      await until(page, `${text('[data-summary="files"]')} === '1' && ${text('[data-summary="underReplicated"]')} === '0'`);
      await until(page, `document.querySelectorAll('#timeline .tl-row svg rect').length > 0`);
      await until(page, `document.querySelectorAll('#events li[data-kind="registered"]').length === 3`);
      await page.evaluate('window.__sameDocument = true');
      await page.screenshot({ path: path.join(SCREENSHOTS, '1-three-live.png'), fullPage: true });

      // The node holding the most replicas is the one whose death needs repair.
      const report = await cluster.report();
      const victim = [...report.datanodes].sort((a, b) => b.blocks - a.blocks)[0];
      expect(victim.blocks).toBeGreaterThan(0);
      await cluster.dn(victim.id).kill9();

      await until(page, `!!document.querySelector('#datanodes tr[data-node="${victim.id}"][data-state="DEAD"]')`);
      await until(page, `!!document.querySelector('#events li[data-type="transition"][data-node="${victim.id}"][data-kind="stale"]')`);
      await until(page, `!!document.querySelector('#events li[data-type="transition"][data-node="${victim.id}"][data-kind="dead"]')`);
      await until(page, `${text('[data-summary="dead"]')} === '1' && ${text('[data-summary="live"]')} === '2'`);
      expect(await page.evaluate(`${text(`#datanodes tr[data-node="${victim.id}"] [data-field="state"]`)}`)).toBe('DEAD');
      await page.screenshot({ path: path.join(SCREENSHOTS, '2-datanode-dead.png'), fullPage: true });

      // Repair: blocks queued, copied to the surviving node without a replica, count back to 0.
      await until(page, `!!document.querySelector('#events li[data-type="replication-queued"]')`);
      await until(page, `!!document.querySelector('#events li[data-type="replication-copied"]')`, 30_000);
      await until(page, `${text('[data-summary="underReplicated"]')} === '0' && ${text('[data-summary="missing"]')} === '0'`, 30_000);
      const fsck = await (await fetch(`${base}/api/fsck`)).json() as { underReplicated: number; missing: number };
      expect(fsck).toEqual(expect.objectContaining({ underReplicated: 0, missing: 0 }));
      await page.screenshot({ path: path.join(SCREENSHOTS, '3-healed.png'), fullPage: true });

      // All of that arrived over the stream: same document, one navigation.
      expect(await page.evaluate('window.__sameDocument === true && performance.getEntriesByType("navigation").length === 1')).toBe(true);

      // The file browser lists the file (a hash route: still no reload).
      await page.click('a[data-view="files"]');
      await until(page, `!!document.querySelector('#files tr[data-path="/ui"]')`);
      await page.click('#files tr[data-path="/ui"] a');
      await until(page, `!!document.querySelector('#files tr[data-path="/ui/data.bin"]')`);
      await page.click('#files tr[data-path="/ui/data.bin"] a');
      await until(page, `${text('#file-stat-title')} === '/ui/data.bin'`);
      await page.screenshot({ path: path.join(SCREENSHOTS, '4-file-browser.png'), fullPage: true });
      expect(await page.evaluate('window.__sameDocument === true')).toBe(true);

      expect(pageErrors).toEqual([]);
      expect(external).toEqual([]);
    } catch (err) {
      // Leave evidence for CI: what the page showed and what the NameNode says.
      await page.screenshot({ path: path.join(SCREENSHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      const shown = await page.evaluate('document.body.innerText').catch((e: Error) => `(no page text: ${e.message})`);
      const report = await cluster.report().catch((e: Error) => e.message);
      throw new Error(`${(err as Error).message}\n--- page text:\n${String(shown)}\n--- page errors: ${JSON.stringify(pageErrors)}\n`
        + `--- /api/datanodes: ${JSON.stringify(report)}`);
    }
  });
});
