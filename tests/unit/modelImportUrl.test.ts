// A model.json that is not there is reported as not found, whether the server says 404 or, as a single-page app's
// fallback does, answers 200 with its HTML page.
import { describe, expect, test } from 'vitest';
import { loadModelFromUrl } from '../../src/lib/nn/modelImport';

const answer = (body: string, init: ResponseInit) => (async () => new Response(body, init)) as unknown as typeof fetch;

describe('importing a model from a URL', () => {
  test('HTTP 404 says not found', async () => {
    const fetch = answer('no such file', { status: 404, statusText: 'Not Found' });
    await expect(loadModelFromUrl('https://example.test/m/model.json', { fetch })).rejects.toThrow(
      /model\.json.*not found \(HTTP 404\)/,
    );
  });

  test('a web page instead of JSON says not found, not "not JSON"', async () => {
    const page = '<!doctype html><html><head><title>Kleinscope</title></head><body></body></html>';
    const fetch = answer(page, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    const error = await loadModelFromUrl('https://example.test/missing/model.json', { fetch }).catch((e) => e);
    expect(String(error.message)).toMatch(/not found: the server answered with a web page/);
    expect(String(error.message)).not.toMatch(/not JSON/);
  });
});
