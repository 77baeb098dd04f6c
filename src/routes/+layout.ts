// Everything runs in the browser (training, the worker, IndexedDB): a static single-page app.
export const ssr = false;
export const prerender = false;
