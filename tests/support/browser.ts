import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Collects the page's console errors and uncaught exceptions into `errors`, so tests can assert there were none. */
export function recordErrors(page: Page, errors: string[] = []): string[] {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A new page at `url` that records its errors (see recordErrors). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = recordErrors(page);
  await page.goto(url);
  return { page, errors };
}

/** A browser tab that the tests of one file share; see tabPerFile. */
export interface Tab {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** What the page reported so far (see recordErrors); tests expect it empty. */
  readonly errors: string[];
}

/**
 * Chromium's switches for the GPU backends with no GPU: WebGPU on its SwiftShader adapter (headless Chromium offers
 * it on a secure page, http://127.0.0.1 included, only with this switch), and WebGL2 on SwiftShader.
 */
export const SOFTWARE_GPU_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'];

export interface TabOptions {
  context?: BrowserContextOptions;
  /** Extra Chromium switches (SOFTWARE_GPU_ARGS for the GPU backends). */
  args?: string[];
  /**
   * false: record only uncaught exceptions, for tests that go offline on purpose and so make the console report
   * the requests that fail.
   */
  consoleErrors?: boolean;
}

/**
 * Opens a browser before the first test of the calling file and closes it after the last, with one context of its
 * own (storage and service workers do not leak into other files) and one page that records its errors.
 */
export function tabPerFile(options: TabOptions = {}): Tab {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const errors: string[] = [];
  beforeAll(async () => {
    browser = await launch(options.args);
    context = await browser.newContext(options.context);
    page = await context.newPage();
    if (options.consoleErrors === false) page.on('pageerror', (e) => errors.push(e.message));
    else recordErrors(page, errors);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the tab opens in beforeAll: use it inside a test or a hook');
    return value;
  };
  return {
    get browser() {
      return opened(browser);
    },
    get context() {
      return opened(context);
    },
    get page() {
      return opened(page);
    },
    errors,
  };
}

/**
 * Waits until a service worker controls the page and has finished precaching (it activates after install). A
 * test that fetches MNIST right after the first load would otherwise race the worker's own fetch of it, and
 * Chromium may drop one of the two (ERR_CACHE_WRITE_FAILURE; the app retries, but the console keeps the error).
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve()),
      );
    }
  });
}
