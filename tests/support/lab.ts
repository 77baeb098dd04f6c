import type { Page } from 'playwright-core';

/** The lab's run settings and analysis parameters, by the data-testid of their inputs. */
export interface TinyTraining {
  runs: number;
  steps: number;
  'batch-size': number;
  schedule: string;
  'param-k'?: number;
  'param-p'?: number;
  'param-resolution'?: number;
}

/** Fills the lab's settings and presses Start: the browser tests' tiny trainings, kept well under a minute. */
export async function startTraining(page: Page, settings: TinyTraining): Promise<void> {
  // Resolution is a setting of the fixed cover only; under the automatic one its field is disabled.
  if (settings['param-resolution'] !== undefined) await page.getByTestId('param-cover').selectOption('fixed');
  for (const [testid, value] of Object.entries(settings)) {
    if (value !== undefined) await page.getByTestId(testid).fill(String(value));
  }
  await page.getByTestId('start').click();
}
