import { expect, inject, test } from 'vitest';
import { tabPerFile } from '../support/browser';
import { minimalDocument } from '../support/fixtures';
import { publish } from '../support/publish';

const tab = tabPerFile();

test('pages are sent with a CSP and framing protection, and the meta policy names the inline script', async () => {
  const base = inject('baseURL');
  // The same headers for a deep link (the SPA fallback) as for the index: `wrangler pages dev` applies _headers.
  for (const path of ['/', '/gallery']) {
    const res = await fetch(base + path);
    expect(res.status, path).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("object-src 'none'");
    expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    const html = await res.text();
    const meta = html.match(/http-equiv="content-security-policy" content="([^"]+)"/)?.[1] ?? '';
    expect(meta, path).toMatch(/script-src 'self' [^;]*'sha256-[A-Za-z0-9+/=]+'/);
    expect(meta, path).not.toContain('unsafe-inline');
  }
});

test('/, /r/<id>, /gallery and /compare work under the policy: no violation, no console error', async () => {
  const base = inject('baseURL');
  const a = await publish(base, { ...minimalDocument, title: 'CSP circle A' });
  const b = await publish(base, { ...minimalDocument, title: 'CSP circle B' });
  await tab.context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
    );
  });
  const violations = () => tab.page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

  await tab.page.goto(base + '/?backend=cpu');
  await tab.page.getByTestId('start').waitFor();
  expect(await violations()).toEqual([]);

  await tab.page.goto(`${base}/r/${a.id}`);
  await tab.page.getByText('CSP circle A').first().waitFor();
  await tab.page.getByTestId('mapper-graph').first().waitFor();
  expect(await violations()).toEqual([]);

  await tab.page.goto(base + '/gallery');
  await tab.page.getByText('CSP circle B').first().waitFor();
  expect(await violations()).toEqual([]);

  await tab.page.goto(`${base}/compare?a=${a.id}&b=${b.id}`);
  await tab.page.getByTestId('distance-row').first().waitFor();
  expect(await violations()).toEqual([]);

  expect(tab.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  expect(tab.errors).toEqual([]);
});
