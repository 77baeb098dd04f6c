// Finding Mapper nodes by what a person knows: a member (core point or input filter), a training run or step, or
// a range of any node attribute. Plain data in and out, so the graph view and its tests share one reading.
import { attributeNames, nodeAttribute, runOf, type AttributeSource } from './nodeAttributes';

export interface SearchResult {
  /** Node positions (indices into mapper.nodes) that match, in order. */
  nodes: number[];
  /** What was searched, in words, or why nothing could be. */
  message: string;
  error: boolean;
}

export const SEARCH_HELP =
  '#12 (core point), filter 40 (input filter), run 2, step 500, or an attribute range: density 0.5..1, size >= 10';

const NUMBER = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;

function fail(message: string): SearchResult {
  return { nodes: [], message, error: true };
}

function found(nodes: number[], what: string): SearchResult {
  const what0 = what.charAt(0).toUpperCase() + what.slice(1);
  return { nodes, message: `${what0}: ${nodes.length} node${nodes.length === 1 ? '' : 's'}`, error: false };
}

export function searchNodes(doc: AttributeSource, query: string): SearchResult {
  const q = query.trim().toLowerCase();
  const nodes = doc.mapper.nodes;
  const all = nodes.map((_, i) => i);
  if (q === '') return { nodes: [], message: '', error: false };

  const member = /^(?:#|member\s+)(\d+)$/.exec(q);
  if (member) {
    const m = Number(member[1]);
    return found(
      all.filter((i) => nodes[i].members.includes(m)),
      `nodes holding core point #${m}`,
    );
  }

  const filter = /^(?:filter|input)\s+(\d+)$/.exec(q);
  if (filter) {
    const input = doc.preprocessing?.coreInput;
    if (!input) return fail('this result does not record which input filter each core point is');
    const f = Number(filter[1]);
    const m = input.indexOf(f);
    if (m < 0) return found([], `nodes holding input filter ${f} (it is not in the density core)`);
    return found(
      all.filter((i) => nodes[i].members.includes(m)),
      `nodes holding input filter ${f} (core point #${m})`,
    );
  }

  const run = /^run\s+(\d+)$/.exec(q);
  if (run) {
    const of = runOf(doc);
    if (!of) return fail('this result is not a pooled training of several runs, or does not record its filters’ runs');
    const r = Number(run[1]);
    return found(
      all.filter((i) => nodes[i].members.some((m) => of(m) === r)),
      `nodes holding filters of run ${r}`,
    );
  }

  const step = /^step\s+(\d+)$/.exec(q);
  if (step) {
    const s = doc.source?.step;
    if (s === undefined) return fail('this result has no training step');
    // A result is one snapshot: every node is at its step, no node at another.
    return Number(step[1]) === s
      ? found(all, `nodes at step ${s}`)
      : found([], `nodes at step ${step[1]} (this result is step ${s})`);
  }

  const names = attributeNames(doc.mapper, doc);
  const range = new RegExp(
    String.raw`^([a-z][\w]*)\s*(?:(${NUMBER})\s*\.\.\s*(${NUMBER})|(>=|<=|>|<|=)\s*(${NUMBER}))$`,
    'i',
  ).exec(query.trim());
  if (range) {
    const name = names.find((n) => n.toLowerCase() === range[1].toLowerCase());
    if (!name) return fail(`no attribute '${range[1]}'; try ${names.join(', ')}`);
    const attr = nodeAttribute(doc, name);
    let test: (v: number) => boolean;
    let what: string;
    if (range[2] !== undefined) {
      const [lo, hi] = [Number(range[2]), Number(range[3])];
      if (lo > hi) return fail(`empty range ${lo}..${hi}: the smaller bound comes first`);
      test = (v) => v >= lo && v <= hi;
      what = `nodes with ${name} in ${lo}..${hi}`;
    } else {
      const x = Number(range[5]);
      const op = range[4];
      test = (v) => (op === '>=' ? v >= x : op === '<=' ? v <= x : op === '>' ? v > x : op === '<' ? v < x : v === x);
      what = `nodes with ${name} ${op} ${x}`;
    }
    return found(
      all.filter((i) => Number.isFinite(attr.values[i]) && test(attr.values[i])),
      what,
    );
  }
  return fail(`cannot read '${query.trim()}'; try ${SEARCH_HELP}`);
}
