import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';

const tab = tabPerFile();

test("the result view's bootstrap button re-analyses with resamples and reports each loop's survival", async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await tab.page.getByTestId('start').waitFor();
  await waitForServiceWorker(tab.page);
  await startTraining(tab.page, { runs: 1, steps: 2, 'batch-size': 4, schedule: '2', 'param-k': 8, 'param-p': 60 });
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 90_000 }).toBeGreaterThan(0);
  // The default cover is the automatic one, and the page says how it was chosen and what the graph's loops are.
  await expect
    .poll(() => tab.page.getByTestId('mapper-agreement').first().textContent(), { timeout: 60_000 })
    .toMatch(/Cover chosen from the data/);
  await expect(tab.page.getByTestId('mapper-verdict').first().textContent()).resolves.toMatch(
    /^\s*The graph has \d+ loops?; the barcode (supports|is undecided)/,
  );
  await tab.page.getByTestId('bootstrap-button').first().click();
  await expect
    .poll(() => tab.page.getByTestId('mapper-bootstrap').first().textContent(), { timeout: 90_000 })
    .toMatch(/Bootstrap \(20 resamples\): (the graph has no loop to test|loop 1 survives \d+%)/);
  expect(tab.errors).toEqual([]);
});
