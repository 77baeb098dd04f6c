// The Mapper graph's force layout, off the main thread: a graph of a few thousand nodes takes seconds to settle,
// and the page would not answer a click meanwhile.
import * as Comlink from 'comlink';
import { layOut } from '../plot/forceLayout';

const api = { layOut };

export type LayoutWorkerApi = typeof api;

Comlink.expose(api);
