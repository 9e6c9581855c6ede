/**
 * Headless Chromium for the report's tests: Debian's chromium driven by puppeteer-core, with no network
 * (any request is recorded and aborted) and a fresh profile. Absent where chromium is not installed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export interface PageCheck {
  consoleErrors: string[];
  /** Every request but the page itself. */
  requests: string[];
  text: string;
  svgs: { width: number; height: number; elements: number }[];
  screenshot: Buffer;
}

export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'funnel-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a local HTML file at the given viewport, with scripts disabled, and reads what a user would see. */
export async function inspect(browser: Browser, file: string, viewport: { width: number; height: number }): Promise<PageCheck> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === url) void r.continue();
    else {
      requests.push(r.url());
      void r.abort();
    }
  });
  await page.setJavaScriptEnabled(false);
  await page.setViewport(viewport);
  await page.goto(url, { waitUntil: 'load' });
  const text = await page.evaluate(() => document.body.innerText);
  const svgs = await page.$$eval('figure svg', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { width: r.width, height: r.height, elements: e.querySelectorAll('path, text, rect').length };
    }),
  );
  const screenshot = Buffer.from(await page.screenshot({ fullPage: true }));
  await page.close();
  return { consoleErrors, requests, text, svgs, screenshot };
}
