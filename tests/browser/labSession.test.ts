import { readFileSync } from 'node:fs';
import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';

const tab = tabPerFile({ context: { acceptDownloads: true } });

/** What the lab's IndexedDB holds: each session's id with its number of snapshots. */
function stored(): Promise<Array<{ id: string; snapshots: number }>> {
  return tab.page.evaluate(
    () =>
      new Promise<Array<{ id: string; snapshots: number }>>((resolve, reject) => {
        const open = indexedDB.open('kleinscope-lab');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['sessions', 'snapshots'], 'readonly');
          const sessions = tx.objectStore('sessions').getAll();
          const snapshots = tx.objectStore('snapshots').getAll();
          tx.oncomplete = () => {
            db.close();
            const list = sessions.result as Array<{ id: string }>;
            const snaps = snapshots.result as Array<{ sessionId: string }>;
            resolve(list.map((s) => ({ id: s.id, snapshots: snaps.filter((x) => x.sessionId === s.id).length })));
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

interface Header {
  session: { config: { runs: unknown; seed: number } };
}

/** The session file with its JSON header edited; the kernel data follows it, aligned to 4 bytes as the format has it. */
function withHeader(bytes: Buffer, edit: (header: Header) => void): Buffer {
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8')) as Header;
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const dataAt = (n: number) => Math.ceil((12 + n) / 4) * 4;
  const data = bytes.subarray(dataAt(headerLength));
  const out = Buffer.alloc(dataAt(json.length) + data.length, 0x20);
  bytes.copy(out, 0, 0, 8);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  data.copy(out, dataAt(json.length));
  return out;
}

async function importFile(name: string, buffer: Buffer) {
  // As a user would: a session on screen brings back its own source (MNIST here), which hides the file input.
  await tab.page.getByTestId('source-session').check();
  await tab.page
    .getByTestId('session-file')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(buffer) });
}

test('a training exports to a file, comes back from it after being forgotten, and a bad file changes nothing', async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await expect.poll(() => tab.page.getByTestId('backend').textContent()).toBe('cpu');
  await waitForServiceWorker(tab.page);
  await startTraining(tab.page, { runs: 1, steps: 2, 'batch-size': 4, schedule: '2', 'param-k': 8 });
  await expect.poll(() => tab.page.getByTestId('timeline-slider').getAttribute('max'), { timeout: 90_000 }).toBe('0');
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await tab.page.getByTestId('start').waitFor({ timeout: 60_000 }); // training finished
  const [trained] = await stored();
  expect(trained.snapshots).toBe(1);

  const [download] = await Promise.all([
    tab.page.waitForEvent('download'),
    tab.page.getByTestId('export-session').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^mnist-mnist-paper-\d{4}-\d\d-\d\d\.kleinscope-session$/);
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 8).toString('latin1')).toBe('KSSESS01');

  // Forgetting asks first; keeping it changes nothing.
  await tab.page.getByTestId('forget-session').click();
  await tab.page.getByRole('button', { name: 'Keep it' }).click();
  await expect(stored()).resolves.toEqual([trained]);
  await tab.page.getByTestId('forget-session').click();
  await tab.page.getByTestId('forget-confirm').click();
  await expect.poll(() => tab.page.getByTestId('timeline').count()).toBe(0);
  await expect.poll(() => stored()).toEqual([]);

  await importFile(download.suggestedFilename(), bytes);
  await expect.poll(() => tab.page.getByTestId('timeline-slider').getAttribute('max'), { timeout: 30_000 }).toBe('0');
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect.poll(() => tab.page.getByTestId('bar').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  // Nothing else held the id, so the session comes back as it was.
  await expect(stored()).resolves.toEqual([trained]);
  await expect(tab.page.getByTestId('export-session').isEnabled()).resolves.toBe(true);

  // The same file again: this browser has that training, so nothing is duplicated.
  await importFile(download.suggestedFilename(), bytes);
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(stored()).resolves.toEqual([trained]);
  // Another training that happens to carry the same id is kept apart, under an id of its own.
  const other = withHeader(bytes, (h) => (h.session.config.seed += 1));
  await importFile('other.kleinscope-session', other);
  await expect.poll(async () => (await stored()).length, { timeout: 30_000 }).toBe(2);
  const both = await stored();
  expect(both).toContainEqual(trained);
  expect(both.every((s) => s.snapshots === 1)).toBe(true);
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);

  // Cut short: the header promises kernels that the data no longer holds.
  await importFile('cut.kleinscope-session', bytes.subarray(0, bytes.length - 64));
  await expect
    .poll(() => tab.page.getByTestId('lab-error').textContent())
    .toMatch(/cut\.kleinscope-session: .*past the end of the data/);
  // Not a session at all.
  await importFile('photo.kleinscope-session', Buffer.from('\x89PNG\r\n\x1a\n not a training'));
  await expect
    .poll(() => tab.page.getByTestId('lab-error').textContent())
    .toMatch(/photo\.kleinscope-session: not a Kleinscope training session/);
  // A header that parses but breaks the format: the field is named.
  const foreign = withHeader(bytes, (h) => (h.session.config.runs = 'many'));
  await importFile('edited.kleinscope-session', foreign);
  await expect
    .poll(() => tab.page.getByTestId('lab-error').textContent())
    .toMatch(/edited\.kleinscope-session: header field 'session\.config\.runs'/);

  // The stored sessions and the one on screen are untouched.
  await expect(stored()).resolves.toEqual(both);
  await expect(tab.page.getByTestId('timeline-slider').getAttribute('max')).resolves.toBe('0');
  await expect(tab.page.getByTestId('mapper-node').count()).resolves.toBeGreaterThan(0);

  // Both trainings are listed, and the one not on screen opens from the list.
  const listed = tab.page.getByTestId('stored-session');
  await tab.page.getByTestId('stored-sessions').locator('summary').click();
  await expect.poll(() => listed.count()).toBe(2);
  const onScreen = () => listed.filter({ hasText: 'on screen' }).getAttribute('data-id');
  const before = await onScreen();
  await listed.filter({ hasNotText: 'on screen' }).getByRole('button', { name: 'Open' }).click();
  await expect.poll(onScreen).not.toBe(before);
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  expect(tab.errors).toEqual([]);
});
