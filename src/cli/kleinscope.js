#!/usr/bin/env node
// The `kleinscope` command. The TypeScript sources are bundled by `npm ci` (see build.js).
const bundle = new URL('../../node_modules/.kleinscope/cli/main.js', import.meta.url);
let main;
try {
  ({ main } = await import(bundle.href));
} catch (e) {
  if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('kleinscope: the CLI is not built; run `npm ci` (or `npm run prepare`) in the project root\n');
    process.exit(1);
  }
  throw e;
}
// `kleinscope layers M | head` closes the pipe early: that is the reader being done, not an error to report.
process.stdout.on('error', (e) => {
  if (/** @type {NodeJS.ErrnoException} */ (e).code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
