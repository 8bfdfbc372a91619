// A real headless Chromium (Debian's, driven by playwright-core) on a booted stack's HTTPS, as a
// browser sees it: the site at https://<domain>/ on port 443 (an Origin with a port would not be the
// site's own, and Django's CSRF check would refuse the admin login), its certificate not checked.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package (.ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps trying Google's hosts, which this network refuses. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What a page did against the browser's policies: CSP violation events and the console's policy messages. */
export interface PolicyReport {
  violations: string[];
  console: string[];
}

export interface SiteBrowser {
  /** Opens a path of the site; resolves with the page and what it reports from then on (until the next open of that page). */
  open(pathname: string, page?: Page): Promise<{ page: Page; report: PolicyReport; status: number }>;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium drops a navigation when the host's interfaces change (ERR_NETWORK_CHANGED), and Docker
 * adds one for every container another test starts (CI runs two lanes at once): such a navigation,
 * or a form's submission with what led to it, is tried again.
 */
export async function steadily<T>(navigate: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await navigate();
    } catch (error) {
      if (attempt >= attempts || !String(error).includes('ERR_NETWORK_CHANGED')) throw error;
    }
  }
}

/**
 * Chromium resolving `domain` to a loopback address of its own, where port 443 is forwarded to
 * nginx's published HTTPS port (root binds 443; a random 127.x address does not collide with
 * another stack's).
 */
export async function openSiteBrowser(domain: string, httpsPort: number): Promise<SiteBrowser> {
  const address = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
  const forwarder = net.createServer((client) => {
    const upstream = net.connect(httpsPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => forwarder.once('error', reject).listen(443, address, resolve));
  const profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, `--host-resolver-rules=MAP ${domain} ${address}`],
    ignoreHTTPSErrors: true,
  });
  const reports = new WeakMap<Page, PolicyReport>();
  const watch = async (page: Page) => {
    const report: PolicyReport = { violations: [], console: [] };
    reports.set(page, report);
    // Chromium says "Refused to ..." for a CSP violation and names the header for a policy it cannot parse.
    page.on('console', (message) => {
      if (/refused|policy|cross-origin/i.test(message.text())) report.console.push(`${message.type()}: ${message.text()}`);
    });
    await page.exposeBinding('reportPolicyViolation', (_source, text: string) => report.violations.push(text));
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportPolicyViolation(text: string): void }).reportPolicyViolation(
          `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`,
        ),
      ),
    );
  };
  return {
    context,
    async open(pathname, page) {
      const target = page ?? (await context.newPage());
      if (!reports.has(target)) await watch(target);
      const report = reports.get(target)!;
      report.violations.length = 0;
      report.console.length = 0;
      const response = await steadily(() => target.goto(`https://${domain}${pathname}`, { waitUntil: 'load' }));
      // Scripts run on load (the admin's): give their events a moment to arrive.
      await target.waitForLoadState('networkidle');
      return { page: target, report, status: response?.status() ?? 0 };
    },
    async close() {
      await context.close();
      await new Promise((resolve) => forwarder.close(resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
