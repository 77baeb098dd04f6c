import { minimalDocument } from './fixtures';

/**
 * A schema-valid result at the Mapper graph's caps (20,000 nodes, 200,000 edges, about 6 MB of JSON): a ring of
 * nodes with a 2-D lens, plus chords drawn by a fixed-seed generator, so the graph is connected and not planar.
 */
export function largeGraphDocument(nodes = 20_000, edges = 200_000, title = 'The largest graph') {
  const doc = structuredClone(minimalDocument) as typeof minimalDocument & { title?: string };
  doc.title = title;
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const node = doc.mapper.nodes[0]!;
  doc.mapper.nodes = Array.from({ length: nodes }, (_, i) => ({
    ...node,
    id: i,
    size: 1 + (i % 3),
    members: [i % 3],
    density: (i % 100) / 100,
    lens: [Math.cos((2 * Math.PI * i) / nodes) * (1 + 0.1 * random()), Math.sin((2 * Math.PI * i) / nodes)],
  }));
  const list: [number, number, number][] = [];
  for (let i = 0; i < nodes && list.length < edges; i++) list.push([i, (i + 1) % nodes, 1]);
  while (list.length < edges) {
    const a = Math.floor(random() * nodes);
    const b = (a + 1 + Math.floor(random() * 50)) % nodes;
    list.push([a, b, Math.round(random() * 100) / 100]);
  }
  doc.mapper.edges = list as typeof doc.mapper.edges;
  return doc;
}
