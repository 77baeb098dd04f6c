import { readFile } from 'node:fs/promises';
import type { Command } from '../command';
import { parse } from '../args';
import { CliError, at } from '../errors';
import { validateDocument, type AnyDocument } from '../../lib/result/validate';
import { connect, defaultServer, serverUrl } from '../server';

const usage =
  'kleinscope publish RESULT.json [--server URL] [--version-of ID --token TOKEN] [--json]\n' +
  '  --server URL      the Kleinscope server (default http://127.0.0.1:$PORT, PORT defaulting to 8788: `npm start`)\n' +
  '  --version-of ID   add a new version to result ID instead of publishing a new result\n' +
  '  --token TOKEN     the owner token printed when ID was published (or set KLEINSCOPE_TOKEN)\n' +
  '  --json            print the server reply as JSON';

/** Line and column of a character offset, for "file:line" messages about broken JSON. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Offset of the first syntax error in text that JSON.parse refused. V8 names a position only for some errors,
 * so this small recursive-descent scanner finds it; it runs only after a failure.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (ch: string) => (text[i] === ch ? i++ : fail());
  const string = (): void => {
    expect('"');
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail();
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          string();
          ws();
          expect(':');
        }
        value();
        ws();
        if (text[i] !== ',') break;
        i++;
      }
      expect(close);
      return;
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    number.lastIndex = i;
    if (!number.test(text)) fail();
    i = number.lastIndex;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    return typeof e === 'number' ? e : undefined; // a RangeError: nested too deep to scan
  }
}

/** Reads and validates the document here first, so a bad file never reaches the server. */
async function readDocument(file: string): Promise<AnyDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(at(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const offset = jsonErrorOffset(text);
    const line = offset === undefined ? undefined : lineOf(text, offset);
    const near =
      offset === undefined
        ? ''
        : offset >= text.length
          ? ' (it ends too soon)'
          : ` near '${text.slice(offset, offset + 20).split('\n')[0]}'`;
    // V8 quotes the source after a comma; the scanner's "near" says it better, on one line.
    const message = ((e as Error).message.split('\n')[0] ?? '').replace(/, (\.\.\.)?"[\s\S]*$/, '');
    throw new CliError(at(file, line, `not valid JSON${near}: ${message}`));
  }
  // A layer result or a profile (kleinscope profile's profile.json): the `schema` field says which.
  const v = validateDocument(value);
  if (!v.ok) throw new CliError(at(file, undefined, `not a result document: field ${v.field}: ${v.message}`));
  // Send exactly what was validated (the client sends it compactly).
  return v.value;
}

export const command: Command = {
  summary: 'publish a result document to a Kleinscope server (or add a version)',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        server: { type: 'string' },
        'version-of': { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 1) throw new CliError(`expected one RESULT.json\nusage: ${usage}`, 2);
    const versionOf = values['version-of'];
    const token = values.token ?? process.env.KLEINSCOPE_TOKEN;
    if (values.token !== undefined && versionOf === undefined) {
      throw new CliError('--token only makes sense with --version-of ID', 2);
    }
    if (versionOf !== undefined && !/^[a-z2-7]{16}$/.test(versionOf)) {
      throw new CliError(`--version-of: '${versionOf}' is not a result id (16 characters a-z, 2-7)`, 2);
    }
    if (versionOf !== undefined && !token) {
      throw new CliError('--version-of needs the owner token: --token TOKEN or KLEINSCOPE_TOKEN', 2);
    }
    const server = connect(serverUrl(values.server ?? defaultServer()));
    const doc = await readDocument(positionals[0]!);
    const reply = versionOf === undefined ? await server.publish(doc) : await server.addVersion(versionOf, token!, doc);
    if (values.json) {
      process.stdout.write(JSON.stringify(reply, null, 2) + '\n');
      return 0;
    }
    const lines =
      'token' in reply
        ? [
            `published: ${reply.url}`,
            `id: ${reply.id}  version: ${reply.version}`,
            `token: ${reply.token}`,
            'Keep the token: it is shown only now, and it is needed to add versions or withdraw the result.',
          ]
        : [`published version ${reply.version} of ${versionOf}: ${reply.url}`];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
