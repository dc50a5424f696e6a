import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint, LedgerEntry } from '@kyc/ledger';
import { call, consentAtBank, customersOf, newTenant, newVerification, operator, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOT = fileURLToPath(new URL('../../../../test-results/audit-dashboard.png', import.meta.url));
const HOSTILE_PURPOSE = '<b>x</b><img src=x onerror="window.__injected=1">';

interface EntryPage {
  data: { entry: LedgerEntry; leaf_hash: string }[];
  next_cursor: string | null;
}

interface StatsRow {
  day: string;
  bank_id: string;
  enterprise_id: string;
  outcome: string;
  count: number;
}

let stack: Stack;
let tenant: Tenant;
let auditorKey: string;
let deniedId: string;
let hostileId: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

async function consent(who: Tenant, customer: string, decision: 'approve' | 'deny', purpose = 'account_opening'): Promise<string> {
  const v = await newVerification(stack, who, { purpose });
  const { callbackUrl, browser: customerBrowser } = await consentAtBank(stack, String(v['authorization_url']), customer, decision);
  await customerBrowser.get(callbackUrl);
  return String(v['id']);
}

beforeAll(async () => {
  stack = await startStack();
  tenant = await newTenant(stack, { purposes: ['account_opening', HOSTILE_PURPOSE] });
  auditorKey = String((await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' })).body['key']);
  const customer = (await customersOf(stack.bankA, 30)).find((c) => c.record['kycStatus'] === 'VERIFIED')?.username ?? '';
  for (let i = 0; i < 2; i++) {
    const id = await consent(tenant, customer, 'approve');
    expect((await call(stack, 'GET', `/v1/verifications/${id}/identity`, tenant.key)).status).toBe(200);
  }
  deniedId = await consent(tenant, customer, 'deny');
  hostileId = await consent(tenant, customer, 'approve', HOSTILE_PURPOSE);

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  // Tokyo, so the datetime-local → UTC conversion is visible in the requests.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'Asia/Tokyo' });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspViolations.push(msg.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const api = async <T>(method: string, pathAndQuery: string): Promise<T> => {
  const res = await call<T>(stack, method, pathAndQuery, auditorKey);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
};

/** Waits until no panel is loading (each sets aria-busy synchronously when a load starts). */
async function settled(): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
}

async function useKey(key: string): Promise<void> {
  await page.fill('#key input[name=key]', key);
  await page.click('#key button[type=submit]');
  await settled();
}

async function applyFilters(values: Record<string, string>): Promise<void> {
  await page.click('#clear-filters');
  await settled();
  for (const [name, value] of Object.entries(values)) {
    const field = `#filters [name=${name}]`;
    if ((await page.$eval(field, (e) => e.tagName)) === 'SELECT') await page.selectOption(field, value);
    else await page.fill(field, value);
  }
  await page.click('#filters button[type=submit]');
  await settled();
}

async function rows(): Promise<Record<string, string>[]> {
  return page.$$eval('#entries tbody tr', (trs) =>
    trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset['col'] ?? '?', td.textContent]))),
  );
}

const seqsOf = async (): Promise<number[]> => (await rows()).map((r) => Number(r['seq']));
const message = (): Promise<string> => page.$eval('#message', (e) => ((e as HTMLElement).hidden ? '' : e.textContent));

describe('the auditor dashboard in Chromium', () => {
  it('is served with its own strict CSP, and /audit redirects to /audit/', async () => {
    const redirect = await fetch(`${stack.broker}/audit`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/audit/');
    const res = await fetch(`${stack.broker}/audit/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect((await fetch(`${stack.broker}/audit/app.js`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${stack.broker}/audit/app.css`)).headers.get('content-type')).toContain('text/css');
  });

  it('asks for a key, then lists the entries newest first, as the API does', async () => {
    await page.goto(`${stack.broker}/audit/`);
    expect(await page.title()).toBe('KYC broker — distribution ledger');
    expect(await message()).toContain('Enter an auditor key');
    expect(await page.locator('#entries tbody tr').count()).toBe(0);

    await useKey(auditorKey);
    const expected = await api<EntryPage>('GET', '/v1/audit/entries?limit=50');
    const seqs = await seqsOf();
    expect(seqs.length).toBeGreaterThanOrEqual(6);
    expect(seqs).toEqual(expected.data.map((d) => d.entry.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const first = (await rows())[0];
    const newest = expected.data[0]?.entry;
    expect(first?.['type']).toBe(newest?.type);
    expect(first?.['occurred_at']).toBe(newest?.occurred_at);
    expect(await page.isDisabled('#next-page')).toBe(expected.next_cursor === null);
    expect(await message()).toBe('');
    // The key stays in this tab's session storage; nothing else keeps it.
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([1, 0, '']);
  });

  it('filters by outcome', async () => {
    await applyFilters({ outcome: 'denied' });
    const denied = await rows();
    const expected = await api<EntryPage>('GET', '/v1/audit/entries?outcome=denied&limit=50');
    expect(denied.length).toBe(expected.data.length);
    expect(denied.every((r) => r['outcome'] === 'denied')).toBe(true);

    await applyFilters({ outcome: 'denied', enterprise_id: tenant.id });
    const ours = await rows();
    expect(ours).toHaveLength(1);
    expect(ours[0]?.['verification_id']).toBe(deniedId);
    expect(ours[0]?.['type']).toBe('consent.denied');
  });

  it('pages with the keyset cursor until the last page', async () => {
    const all = await api<EntryPage>('GET', `/v1/audit/entries?enterprise_id=${tenant.id}&limit=500`);
    expect(all.data).toHaveLength(6);
    await applyFilters({ enterprise_id: tenant.id, limit: '2' });
    expect(await page.isDisabled('#first-page')).toBe(true);
    const seen: number[] = [];
    for (let pageNo = 1; ; pageNo++) {
      const seqs = await seqsOf();
      expect(seqs.length).toBeLessThanOrEqual(2);
      seen.push(...seqs);
      if (await page.isDisabled('#next-page')) break;
      expect(pageNo).toBeLessThan(10);
      await page.click('#next-page');
      await settled();
      expect(await page.isDisabled('#first-page')).toBe(false);
    }
    expect(seen).toEqual(all.data.map((d) => d.entry.seq));
    await page.click('#first-page');
    await settled();
    expect(await seqsOf()).toEqual(seen.slice(0, 2));
  });

  it('sends from/to entered in local time as RFC 3339 UTC', async () => {
    const request = page.waitForRequest((r) => r.url().includes('/v1/audit/entries?') && r.url().includes('to='));
    await applyFilters({ to: '2001-01-01T09:00:00' });
    const url = new URL((await request).url());
    expect(url.searchParams.get('to')).toBe('2001-01-01T00:00:00.000Z');
    expect(await page.locator('#entries tbody tr').count()).toBe(0);
    expect(await page.locator('#chart rect[data-count]').count()).toBe(0);
  });

  it('charts distributions per day, bank and outcome from the stats', async () => {
    await applyFilters({});
    const stats = await api<{ data: StatsRow[] }>('GET', '/v1/audit/stats?group_by=day');
    const total = stats.data.reduce((sum, r) => sum + r.count, 0);
    const bars = await page.$$eval('#chart rect[data-count]', (rects) =>
      rects.map((r) => ({
        day: r.getAttribute('data-day'),
        bank: r.getAttribute('data-bank'),
        outcome: r.getAttribute('data-outcome'),
        count: Number(r.getAttribute('data-count')),
        title: r.querySelector('title')?.textContent ?? '',
      })),
    );
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.reduce((sum, b) => sum + b.count, 0)).toBe(total);
    for (const bar of bars) {
      expect(bar.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['ok', 'denied', 'failed']).toContain(bar.outcome);
      expect(bar.title).toBe(`${bar.day} · ${bar.bank} · ${bar.outcome}: ${bar.count}`);
    }
    const denied = stats.data.filter((r) => r.outcome === 'denied' && r.bank_id === 'bank-a').reduce((sum, r) => sum + r.count, 0);
    expect(bars.filter((b) => b.outcome === 'denied' && b.bank === 'bank-a').reduce((sum, b) => sum + b.count, 0)).toBe(denied);
    expect(await page.locator('#chart-legend li').count()).toBeGreaterThan(0);
  });

  it('verifies the latest checkpoint with WebCrypto after signing one', async () => {
    await page.click('#make-checkpoint');
    await settled();
    expect(await page.textContent('#checkpoint-status')).toBe('verified');
    // A checkpoint over every entry so far (the scheduler may have signed the same tree already).
    expect(await page.textContent('#checkpoint-tree_size')).toBe(String(await stack.prisma.ledgerEntry.count()));
    const latest = await api<Checkpoint>('GET', '/v1/audit/checkpoints/latest');
    expect(await page.textContent('#checkpoint-tree_size')).toBe(String(latest.tree_size));
    expect(await page.textContent('#checkpoint-timestamp')).toBe(latest.timestamp);
    expect(await page.textContent('#checkpoint-root_hash')).toBe(latest.root_hash);
    expect(await page.textContent('#checkpoint-key_id')).toBe(latest.key_id);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('says when a checkpoint does not verify, and when there is none', async () => {
    await page.route('**/v1/audit/checkpoints/latest', async (route) => {
      const response = await route.fetch();
      const checkpoint = (await response.json()) as Checkpoint;
      const flipped = (checkpoint.root_hash.startsWith('0') ? '1' : '0') + checkpoint.root_hash.slice(1);
      await route.fulfill({ response, json: { ...checkpoint, root_hash: flipped } });
    });
    await page.reload();
    await settled();
    expect(await page.textContent('#checkpoint-status')).toBe('signature invalid');
    await page.unroute('**/v1/audit/checkpoints/latest');

    await page.route('**/v1/audit/checkpoints/latest', (route) =>
      route.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Not Found', status: 404, code: 'NOT_FOUND', detail: 'No checkpoint yet.' }) }),
    );
    await page.reload();
    await settled();
    expect(await page.textContent('#checkpoint-status')).toBe('no checkpoint yet');
    await page.unroute('**/v1/audit/checkpoints/latest');
  });

  it('shows entry values as text: a purpose with markup cannot inject elements', async () => {
    await applyFilters({ verification_id: hostileId });
    const cell = page.locator('#entries tbody tr td[data-col="purpose"]');
    expect(await cell.count()).toBe(1);
    expect(await cell.textContent()).toBe(HOSTILE_PURPOSE);
    expect(await page.locator('#entries b, #entries img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __injected?: unknown }).__injected)).toBeUndefined();
  });

  it('refuses a wrong key and a non-auditor key with a clear message and no data', async () => {
    expect(await page.locator('#entries tbody tr').count()).toBeGreaterThan(0);
    await useKey('not-a-real-key-0123456789abcdef');
    expect(await page.getAttribute('#message', 'class')).toBe('error');
    expect(await message()).toMatch(/auditor key was not accepted \(401/);
    expect(await page.locator('#entries tbody tr').count()).toBe(0);
    expect(await page.locator('#chart rect[data-count]').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await useKey(tenant.key);
    expect(await message()).toMatch(/\(403 FORBIDDEN\).*auditor key is needed/);
    expect(await page.locator('#entries tbody tr').count()).toBe(0);
  });

  it('ran without script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
