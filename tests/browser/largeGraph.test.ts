import { expect, inject, test } from 'vitest';
import { tabPerFile } from '../support/browser';
import { largeGraphDocument } from '../support/largeGraph';
import { publish } from '../support/publish';

const tab = tabPerFile();

declare global {
  interface Window {
    longTasks: { start: number; duration: number }[];
    firstPicture: number | null;
  }
}

// Records every long task and the moment the Mapper view first shows a picture (its stage says data-drawn).
const observe = () => {
  window.longTasks = [];
  window.firstPicture = null;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new MutationObserver(() => {
    if (window.firstPicture === null && document.querySelector('[data-testid="mapper-graph"][data-drawn="true"]'))
      window.firstPicture = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-drawn'] });
};

/** Opens a result and returns when (ms after navigation) its graph was first drawn, and the page's long tasks. */
async function open(url: string) {
  await tab.page.goto(url);
  await tab.page.waitForFunction(() => window.firstPicture !== null, undefined, { timeout: 60_000 });
  return tab.page.evaluate(() => ({ firstPicture: window.firstPicture!, longTasks: window.longTasks }));
}

test('a graph at the schema caps (20,000 nodes, 200,000 edges) shows a picture within 5 s and never freezes the page', async () => {
  const base = inject('baseURL');
  const small = await publish(base, largeGraphDocument(49, 60, 'Small'));
  const { id } = await publish(base, largeGraphDocument());
  const page = tab.page;
  await page.addInitScript(observe);
  // The reference, measured now on this machine: what any result costs (the app's start, one request, a draw).
  const reference = (await open(`${base}/r/${small.id}`)).firstPicture;
  await open(`${base}/r/${id}`);
  // Three seconds of use after the first picture: hovering and zooming the drawing must answer.
  const stage = page.getByTestId('mapper-graph');
  await stage.hover();
  await page.mouse.wheel(0, -300);
  await page.mouse.move(200, 200);
  await page.waitForTimeout(3000);
  const { firstPicture, longTasks } = await page.evaluate(() => ({
    firstPicture: window.firstPicture!,
    longTasks: window.longTasks,
  }));
  const after = longTasks.filter((t) => t.start >= firstPicture);
  const longestAfter = Math.max(0, ...after.map((t) => t.duration));
  const longest = Math.max(0, ...longTasks.map((t) => t.duration));
  console.log(
    `largest graph: first picture ${Math.round(firstPicture)} ms after navigation (a 49-node result: ${Math.round(
      reference,
    )} ms); longest task ${Math.round(longest)} ms overall, ${Math.round(longestAfter)} ms after the first picture`,
  );
  expect(await stage.getAttribute('data-nodes')).toBe('20000');
  expect(await stage.getAttribute('data-surface')).toBe('canvas');
  // The target is 5 s on a quiet machine; on a busy one the time any result takes right now is allowed on top.
  expect(firstPicture - reference).toBeLessThan(5000);
  expect(longestAfter).toBeLessThan(1000);
  expect(tab.errors).toEqual([]);
});

test('a small result opened while a large one is still being laid out is laid out at once', async () => {
  const base = inject('baseURL');
  const large = await publish(base, largeGraphDocument(20_000, 200_000, 'Large, abandoned'));
  const small = await publish(base, largeGraphDocument(49, 60, 'Small, next'));
  const page = tab.page;
  await page.goto(`${base}/r/${large.id}`);
  await page.getByText('Large, abandoned').first().waitFor({ timeout: 60_000 });
  // Navigate inside the app (the layout worker lives on) before the large layout is done.
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = 'next';
    a.id = 'next-result';
    document.body.append(a);
  }, `/r/${small.id}`);
  const started = Date.now();
  await page.locator('#next-result').click();
  await page.getByText('Small, next').first().waitFor({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId('mapper-node').count(), { timeout: 5_000 }).toBe(49);
  console.log(`small result laid out ${Date.now() - started} ms after leaving the large one`);
  expect(tab.errors).toEqual([]);
});
