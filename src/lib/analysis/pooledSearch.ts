/**
 * The k-NN searches of the analysis on a pool of threads (taskPool.ts): the k-d tree is built here and sent to
 * each thread once; the threads answer slices of its points, and the slices are put back in point order. The
 * answers are the same as the one-thread searches' (tda/knn.ts, tda/codensity.ts), whatever the pool's size.
 */
import { buildKdTree, kthNeighbourDistanceRows, mergeRows, type KdTree, type Neighbours } from '../tda/knn';
import { densityCoreSearch, densityCoreSearchWith, type CoreSearch } from '../tda/codensity';
import { runInOrder, type TaskPool } from './taskPool';
import type { Rows } from './poolTasks';

/**
 * Slices of the tree's points: several per thread, so a thread that got the sparse (slow) part of the cloud does
 * not keep the others waiting.
 */
function slices(n: number, threads: number): Rows[] {
  const count = Math.min(n, threads * 4);
  return Array.from({ length: count }, (_, i) => ({
    from: Math.floor((i * n) / count),
    to: Math.floor(((i + 1) * n) / count),
  }));
}

/** Clouds of at most this many points are searched in this thread. */
const SMALL = 4000;

/** densityCoreSearch on the pool; on one thread (or no pool) the search itself. */
export async function pooledCoreSearch(
  points: Float64Array,
  n: number,
  dim: number,
  k: number,
  p: number,
  pool: TaskPool | undefined,
  signal?: AbortSignal,
): Promise<CoreSearch> {
  // A small cloud is searched in less time than the threads take to receive its tree.
  if (!pool || pool.size < 2 || n <= SMALL) return densityCoreSearch(points, n, dim, k, p);
  const tree = buildKdTree(points, n, dim);
  return densityCoreSearchWith(tree, k, p, (radius) => pooledKthWithin(tree, k, radius, pool, signal));
}

/** kthNeighbourDistanceRows of every point of the tree (tree order), in slices on the pool when there is one. */
export async function pooledKthWithin(
  tree: KdTree,
  k: number,
  radius: number,
  pool: TaskPool | undefined,
  signal?: AbortSignal,
): Promise<Float64Array> {
  if (!pool || pool.size < 2) return kthNeighbourDistanceRows(tree, k, radius, 0, tree.n);
  const parts = slices(tree.n, pool.size);
  const rows = new Float64Array(tree.n);
  await runInOrder(
    pool,
    'kthWithin',
    { tree, k },
    parts.map((r) => ({ ...r, radius })),
    (slice, i) => rows.set(slice, parts[i].from),
    signal,
  );
  return rows;
}

/** The k nearest neighbours of every point (knn()) on the pool. */
export async function pooledKnn(
  points: Float64Array,
  n: number,
  dim: number,
  k: number,
  pool: TaskPool,
  signal?: AbortSignal,
): Promise<Neighbours> {
  const tree: KdTree = buildKdTree(points, n, dim);
  const out: Neighbours[] = [];
  await runInOrder(pool, 'knnRows', { tree, k }, slices(n, pool.size), (rows) => out.push(rows), signal);
  return mergeRows(tree, k, out);
}
