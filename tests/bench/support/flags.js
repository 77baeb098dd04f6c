// The `--name=value` flags of a bench (the bench runner passes on only arguments that start with '-').

/**
 * The flags, and a reader of whole-number flags that stops the bench with one line when a value is not one.
 * @param {string} bench the bench's name, for the message
 */
export function benchFlags(bench) {
  const flags = new Map(
    process.argv.slice(2).map((a) => {
      const [k, ...v] = a.replace(/^--/, '').split('=');
      return [k, v.length ? v.join('=') : 'true'];
    }),
  );
  const number = (/** @type {string} */ name, /** @type {number} */ fallback) => {
    const v = flags.has(name) ? Number(flags.get(name)) : fallback;
    if (!Number.isInteger(v) || v < 1) {
      process.stderr.write(`bench ${bench}: --${name} must be a positive whole number, not '${flags.get(name)}'\n`);
      process.exit(2);
    }
    return v;
  };
  return { flags, number };
}
