/**
 * Picks the fastest TensorFlow.js backend the platform has, and says why. Browsers try WebGPU, then WebGL on a
 * real GPU, then WebAssembly (XNNPACK, SIMD), then the plain JavaScript cpu backend; Node has wasm and cpu
 * (there is no tfjs-node here). A software GPU (SwiftShader, llvmpipe) trains slower than wasm, so the automatic
 * order counts it as no GPU; asked for by name it is used (the tests run the GPU code paths on one that way).
 * The same training code runs on all of them.
 */
// The tfjs umbrella package registers the cpu and webgl backends and every op's gradient; WebGPU and wasm are
// separate packages, imported on first use so pages that never train skip them.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The browser's order; Node's is NODE_ORDER. */
export const DEFAULT_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export const NODE_ORDER: readonly BackendName[] = ['wasm', 'cpu'];

/** The backend selectBackend set, and a short sentence for the badge on why it is this one. */
export interface BackendChoice {
  name: BackendName;
  reason: string;
  /** webgpu and webgl: the adapter it runs on (a software one only when asked for by name). */
  adapter?: GpuAdapter;
}

/**
 * tfjs-backend-wasm's binaries. In the browser they are fetched from the app's own origin under
 * WASM_URL_PREFIX (the build copies them there and the service worker precaches them); in Node they load from
 * node_modules. Which one loads depends on SIMD and cross-origin isolation (threads).
 */
export const WASM_BINARY_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;
export const WASM_URL_PREFIX = '/tfjs-wasm/';

let wasmPrefix: string | null = null;

/** Where the browser fetches the wasm binaries from (a URL prefix ending in '/'); call before selectBackend. */
export function setWasmUrlPrefix(prefix: string): void {
  wasmPrefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
}

const isBrowser = () =>
  typeof window !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** What a GPU backend runs on here: the adapter's (or renderer's) name, and whether it is software. */
export interface GpuAdapter {
  /** "google swiftshader", "nvidia ampere", "ANGLE (NVIDIA, …)"; empty when the browser does not say. */
  name: string;
  software: boolean;
}

/**
 * Whether a WebGPU adapter is a software one: the browser's fallback flag, or a vendor/architecture that names a
 * software rasteriser (Chromium's headless adapter is "google swiftshader" and not always flagged).
 */
export function webgpuAdapter(info: {
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
  description?: string;
}): GpuAdapter {
  const name = `${info.vendor ?? ''} ${info.architecture ?? ''}`.trim() || (info.description ?? '').trim();
  return { name, software: Boolean(info.isFallbackAdapter) || SOFTWARE_RENDERER.test(name) };
}

/** Whether a WebGL renderer string (UNMASKED_RENDERER_WEBGL) is a software rasteriser, with a short name for it. */
export function webglAdapter(renderer: string): GpuAdapter {
  const soft = renderer.match(SOFTWARE_RENDERER);
  if (!soft) return { name: renderer, software: false };
  const name = /swiftshader/i.test(soft[0]) ? 'SwiftShader' : /llvmpipe/i.test(soft[0]) ? 'llvmpipe' : renderer;
  return { name, software: true };
}

/**
 * The order to try: the backend asked for (`?backend=`, `--backend`) first, then the rest of `base` in its order,
 * so that one that cannot start here still leaves a working backend.
 */
export function backendOrder(asked: BackendName | null | undefined, base: readonly BackendName[]): BackendName[] {
  return asked ? [asked, ...base.filter((b) => b !== asked)] : [...base];
}

/** `?backend=` (or any string) as a backend name, or null for anything else. */
export function parseBackendName(value: string | null | undefined): BackendName | null {
  const v = value?.trim().toLowerCase();
  return v === 'webgpu' || v === 'webgl' || v === 'wasm' || v === 'cpu' ? v : null;
}

/**
 * The rule for a GPU backend whose adapter was found: a software one is slower than wasm, so the automatic order
 * passes it over (and says why); asked for by name, it is used, to test the GPU code paths where there is no GPU.
 */
export function useAdapter(
  name: 'webgpu' | 'webgl',
  adapter: GpuAdapter,
  asked: BackendName | null | undefined,
): { use: true } | { use: false; why: string } {
  if (!adapter.software || asked === name) return { use: true };
  return name === 'webgpu'
    ? { use: false, why: `WebGPU is a software adapter (${adapter.name || 'fallback'})` }
    : { use: false, why: `WebGL is a software rasteriser (${adapter.name})` };
}

/** The GPU's name as WebGL reports it, or null when there is no WebGL at all. */
function webglRenderer(): string | null {
  let gl: WebGLRenderingContext | WebGL2RenderingContext | null = null;
  if (typeof OffscreenCanvas !== 'undefined') {
    const c = new OffscreenCanvas(1, 1);
    gl = c.getContext('webgl2') ?? c.getContext('webgl');
  }
  if (!gl && typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    gl = c.getContext('webgl2') ?? c.getContext('webgl');
  }
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

type Gpu = {
  requestAdapter(): Promise<{
    isFallbackAdapter?: boolean;
    info?: { architecture?: string; vendor?: string; description?: string; isFallbackAdapter?: boolean };
  } | null>;
};

/** What probing a backend found: it can run (on this adapter, for a GPU one), or why it cannot. */
type Probe = { ok: true; adapter?: GpuAdapter } | { ok: false; why: string };

/**
 * Whether backend `name` can run here, and on what adapter. Returns a reason without trying when it would be
 * slower than the next one (software GPUs), unless it was asked for by name.
 */
async function probe(name: BackendName, asked: BackendName | null | undefined): Promise<Probe> {
  if (name === 'cpu') return { ok: true };
  if (name === 'wasm') {
    if (typeof WebAssembly === 'undefined') return { ok: false, why: 'no WebAssembly' };
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { registerWasmTrainingKernels } = await import('./wasm');
    registerWasmTrainingKernels();
    if (isBrowser()) {
      // A relative prefix would resolve against the page (or worker) URL; make it absolute on this origin.
      const prefix = wasmPrefix ?? WASM_URL_PREFIX;
      wasm.setWasmPaths(new URL(prefix, globalThis.location?.href).href);
    }
    return { ok: true };
  }
  if (!isBrowser()) return { ok: false, why: `${name} needs a browser` };
  if (name === 'webgpu') {
    const gpu = (navigator as { gpu?: Gpu }).gpu;
    const found = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    if (!found) return { ok: false, why: 'no WebGPU adapter' };
    const adapter = webgpuAdapter({
      ...found.info,
      isFallbackAdapter: found.isFallbackAdapter ?? found.info?.isFallbackAdapter,
    });
    const rule = useAdapter('webgpu', adapter, asked);
    if (!rule.use) return { ok: false, why: rule.why };
    await import('@tensorflow/tfjs-backend-webgpu');
    return { ok: true, adapter };
  }
  const renderer = webglRenderer();
  if (renderer === null) return { ok: false, why: 'no WebGL' };
  const adapter = webglAdapter(renderer);
  const rule = useAdapter('webgl', adapter, asked);
  return rule.use ? { ok: true, adapter } : { ok: false, why: rule.why };
}

const strengths: Record<BackendName, string> = {
  webgpu: 'WebGPU on the GPU',
  webgl: 'WebGL on the GPU',
  wasm: 'WebAssembly with XNNPACK on the CPU',
  cpu: 'plain JavaScript on the CPU',
};

/** The badge's words for a GPU backend on a software adapter, asked for by name. */
export const SOFTWARE_ADAPTER_NOTE = 'on a software adapter: slow, for testing';

export interface SelectOptions {
  /**
   * The backend asked for by name (`?backend=webgpu`): used even on a software adapter, which the automatic order
   * passes over. Put it first in `order` too (backendOrder does).
   */
  asked?: BackendName | null;
}

/**
 * Sets the first backend in `order` that is available and initialises, and returns it with the reason (for the
 * UI's badge and the CLI). Falls back to cpu, which always works; throws only if even that fails. In Node this
 * also turns on production mode, which silences tfjs's "install tfjs-node" banner and skips per-op NaN checks.
 * The default order is DEFAULT_ORDER in a browser or worker, NODE_ORDER in Node.
 */
export async function selectBackend(
  order?: readonly BackendName[],
  options: SelectOptions = {},
): Promise<BackendChoice> {
  if (!isBrowser()) tf.enableProdMode();
  const wanted = order ?? (isBrowser() ? DEFAULT_ORDER : NODE_ORDER);
  const why: string[] = [];
  for (const name of wanted) {
    try {
      const found = await probe(name, options.asked);
      if (!found.ok) {
        why.push(found.why);
        continue;
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return choiceFor(name, why, wanted, options.asked, found.adapter);
      }
      why.push(`${name} did not start`);
    } catch (e) {
      // A backend that registers but cannot initialise (no adapter, lost context, binary not found) is skipped.
      why.push(`${name} failed (${(e as Error).message?.split('\n')[0] ?? e})`);
    }
  }
  if (await tf.setBackend('cpu')) return choiceFor('cpu', why, wanted, options.asked);
  throw new Error(`no TensorFlow.js backend could be initialised, not even cpu (${why.join('; ')})`);
}

/** The choice and its sentence: what it is, on what, and what ruled out the ones before it. */
export function choiceFor(
  name: BackendName,
  why: readonly string[],
  order: readonly BackendName[],
  asked?: BackendName | null,
  adapter?: GpuAdapter,
): BackendChoice {
  const isAsked = asked === name || (order[0] === name && order.length === 1);
  const api = name === 'webgpu' ? 'WebGPU' : 'WebGL';
  const software = Boolean(adapter?.software);
  // The adapter's name where there is one (which GPU trains), 'fallback' for a software one that has none.
  const named = adapter?.name || (software ? 'fallback' : '');
  const notes = [...(named ? [named] : []), ...(isAsked ? ['asked for'] : [])];
  let base = software ? `${api} ${SOFTWARE_ADAPTER_NOTE}` : strengths[name];
  if (notes.length) base += ` (${notes.join(', ')})`;
  const choice: BackendChoice = { name, reason: why.length ? `${base}: ${why.join('; ')}` : base };
  if (adapter) choice.adapter = adapter;
  return choice;
}

/** The backend in use now, or null before selectBackend. */
export function currentBackend(): BackendName | null {
  const name = tf.getBackend();
  return name === 'webgpu' || name === 'webgl' || name === 'wasm' || name === 'cpu' ? name : null;
}
