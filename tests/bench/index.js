// `npm run bench -- <name> [...]`: runs tests/bench/<name>.js for each name given (all of them with none).
// Every benchmark measures its reference in the same run and prints ratios, never bare times.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'index.js')
  .map((f) => f.slice(0, -3))
  .sort();
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !available.includes(a));
if (unknown.length) {
  process.stderr.write(
    `bench: no benchmark named ${unknown.join(', ')}; available: ${available.join(', ') || '(none)'}\n`,
  );
  process.exit(2);
}
if (available.length === 0) {
  process.stderr.write('bench: no benchmarks yet\n');
  process.exit(2);
}
let failed = false;
for (const name of asked.length ? asked : available) {
  process.stdout.write(`\n## ${name}\n`);
  const r = spawnSync(
    process.execPath,
    [`${here}${name}.js`, ...process.argv.slice(2).filter((a) => a.startsWith('-'))],
    {
      stdio: 'inherit',
    },
  );
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
