// An H1 bar's circular coordinate, off the main thread: it recomputes the core's persistence (a few seconds for a
// core of several hundred points), and the page must stay usable meanwhile.
import * as Comlink from 'comlink';
import { barLoop } from '../analysis/barLoop';

const api = { barLoop };

export type LoopWorkerApi = typeof api;

Comlink.expose(api);
