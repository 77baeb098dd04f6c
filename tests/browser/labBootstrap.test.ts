import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';

const tab = tabPerFile();

test("the result view's bootstrap button re-analyses with resamples and reports each loop's survival", async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await tab.page.getByTestId('start').waitFor();
  await waitForServiceWorker(tab.page);
  // Every text the verdict-so-far line shows while the resamples arrive (they may come faster than a poll).
  await tab.page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { provisionalSeen: string[] }).provisionalSeen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="provisional-verdict"]')) {
        const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (seen.at(-1) !== text) seen.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await startTraining(tab.page, { runs: 1, steps: 2, 'batch-size': 4, schedule: '2', 'param-k': 8, 'param-p': 60 });
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 90_000 }).toBeGreaterThan(0);
  // The lab said the verdict as the resamples came in, counting them, before the document's own verdict.
  const seen = await tab.page.evaluate(() => (window as unknown as { provisionalSeen: string[] }).provisionalSeen);
  expect(seen.length).toBeGreaterThan(1);
  expect(seen[0]).toMatch(/^1 of 20 resamples so far (One circle|No circle|Undecided|\d H1 classes)/);
  expect(seen.some((t) => /^(\d+) of 20 resamples so far/.test(t) && !t.startsWith('1 of'))).toBe(true);
  await expect(tab.page.getByTestId('verdict').first().textContent()).resolves.toMatch(
    /(One circle|No circle|Undecided|\d H1 classes).*20 resamples/,
  );
  // The default cover is the automatic one, and the page says how it was chosen and what the graph's loops are.
  await expect
    .poll(() => tab.page.getByTestId('mapper-agreement').first().textContent(), { timeout: 60_000 })
    .toMatch(/Cover chosen from the data/);
  await expect(tab.page.getByTestId('mapper-verdict').first().textContent()).resolves.toMatch(
    // The graph is rebuilt on each of the confidence's 20 resamples: its loop counts stand beside the barcode's.
    /^\s*The graph has \d+ loops? \(over its 20 resampled graphs \(filters\): \d+ with \d+ loops?[^)]*\); the barcode (supports|is undecided)/,
  );
  await tab.page.getByTestId('bootstrap-button').first().click();
  await expect
    .poll(() => tab.page.getByTestId('mapper-bootstrap').first().textContent(), { timeout: 90_000 })
    .toMatch(/Bootstrap \(20 resamples\): (the graph has no loop to test|loop 1 survives \d+%)/);
  // After the re-analysis the agreement still reads the resampled graphs, preferred to the bootstrap's own.
  await expect
    .poll(() => tab.page.getByTestId('mapper-verdict').first().textContent())
    .toMatch(/The graph has \d+ loops? \(over its 20 resampled graphs \(filters\): /);
  expect(tab.errors).toEqual([]);
});
