/**
 * Picks the fastest TensorFlow.js backend the platform has, and says why. Browsers try WebGPU, then WebGL on a
 * real GPU, then WebAssembly (XNNPACK, SIMD), then the plain JavaScript cpu backend; Node has wasm and cpu
 * (there is no tfjs-node here). A software GPU (SwiftShader, llvmpipe) trains slower than wasm, so it counts as
 * no GPU. The same training code runs on all of them.
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

/** Notes why a backend was passed over; always false. */
function skip(why: string[], because: string): false {
  why.push(because);
  return false;
}

type Gpu = {
  requestAdapter(): Promise<{ isFallbackAdapter?: boolean; info?: { architecture?: string; vendor?: string } } | null>;
};

/**
 * Whether backend `name` can run here; `why` collects, for the reason line, what ruled out the ones skipped.
 * Returns false without trying when it would be slower than the next one (software GPUs).
 */
async function available(name: BackendName, why: string[]): Promise<boolean> {
  if (name === 'cpu') return true;
  if (name === 'wasm') {
    if (typeof WebAssembly === 'undefined') return skip(why, 'no WebAssembly');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { registerWasmTrainingKernels } = await import('./wasm');
    registerWasmTrainingKernels();
    if (isBrowser()) {
      // A relative prefix would resolve against the page (or worker) URL; make it absolute on this origin.
      const prefix = wasmPrefix ?? WASM_URL_PREFIX;
      wasm.setWasmPaths(new URL(prefix, globalThis.location?.href).href);
    }
    return true;
  }
  if (!isBrowser()) return skip(why, `${name} needs a browser`);
  if (name === 'webgpu') {
    const gpu = (navigator as { gpu?: Gpu }).gpu;
    const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    if (!adapter) return skip(why, 'no WebGPU adapter');
    const arch = `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''}`;
    if (adapter.isFallbackAdapter || SOFTWARE_RENDERER.test(arch)) {
      return skip(why, `WebGPU is a software adapter (${arch.trim() || 'fallback'})`);
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    return true;
  }
  const renderer = webglRenderer();
  if (renderer === null) return skip(why, 'no WebGL');
  const soft = renderer.match(SOFTWARE_RENDERER);
  if (soft) {
    const label = /swiftshader/i.test(soft[0]) ? 'SwiftShader' : /llvmpipe/i.test(soft[0]) ? 'llvmpipe' : renderer;
    return skip(why, `WebGL is a software rasteriser (${label})`);
  }
  return true;
}

const strengths: Record<BackendName, string> = {
  webgpu: 'WebGPU on the GPU',
  webgl: 'WebGL on the GPU',
  wasm: 'WebAssembly with XNNPACK on the CPU',
  cpu: 'plain JavaScript on the CPU',
};

/**
 * Sets the first backend in `order` that is available and initialises, and returns it with the reason (for the
 * UI's badge and the CLI). Falls back to cpu, which always works; throws only if even that fails. In Node this
 * also turns on production mode, which silences tfjs's "install tfjs-node" banner and skips per-op NaN checks.
 * The default order is DEFAULT_ORDER in a browser or worker, NODE_ORDER in Node.
 */
export async function selectBackend(order?: readonly BackendName[]): Promise<BackendChoice> {
  if (!isBrowser()) tf.enableProdMode();
  const wanted = order ?? (isBrowser() ? DEFAULT_ORDER : NODE_ORDER);
  const why: string[] = [];
  for (const name of wanted) {
    try {
      if (!(await available(name, why))) continue;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, reason: reasonFor(name, why, wanted) };
      }
      why.push(`${name} did not start`);
    } catch (e) {
      // A backend that registers but cannot initialise (no adapter, lost context, binary not found) is skipped.
      why.push(`${name} failed (${(e as Error).message?.split('\n')[0] ?? e})`);
    }
  }
  if (await tf.setBackend('cpu')) return { name: 'cpu', reason: reasonFor('cpu', why, wanted) };
  throw new Error(`no TensorFlow.js backend could be initialised, not even cpu (${why.join('; ')})`);
}

function reasonFor(name: BackendName, why: string[], order: readonly BackendName[]): string {
  const base = strengths[name];
  if (why.length) return `${base}: ${why.join('; ')}`;
  if (order[0] === name && order.length === 1) return `${base} (asked for)`;
  return base;
}

/** The backend in use now, or null before selectBackend. */
export function currentBackend(): BackendName | null {
  const name = tf.getBackend();
  return name === 'webgpu' || name === 'webgl' || name === 'wasm' || name === 'cpu' ? name : null;
}
