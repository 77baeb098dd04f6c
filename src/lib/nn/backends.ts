/**
 * Picks the fastest TensorFlow.js backend the platform has. Browsers try WebGPU, then WebGL, then the plain
 * JavaScript CPU backend; Node has only the CPU backend (there is no tfjs-node here), and the same training code
 * runs on all of them.
 */
// The tfjs umbrella package registers the cpu and webgl backends and every op's gradient; WebGPU is separate.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'cpu';

export const DEFAULT_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

const isBrowser = () =>
  typeof window !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';

/** Whether a backend can exist here; WebGPU's module is imported on first use, so pages that never train skip it. */
async function register(name: BackendName): Promise<boolean> {
  if (name === 'cpu') return true;
  if (!isBrowser()) return false;
  if (name === 'webgpu') {
    if (!('gpu' in navigator)) return false;
    await import('@tensorflow/tfjs-backend-webgpu');
    return true;
  }
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : null;
  if (!canvas?.getContext('webgl2') && !canvas?.getContext('webgl')) {
    if (typeof document === 'undefined') return false;
    const c = document.createElement('canvas');
    if (!c.getContext('webgl2') && !c.getContext('webgl')) return false;
  }
  return true;
}

/**
 * Sets the first backend in `order` that initialises and returns its name (for the UI's badge). Falls back to
 * cpu, which always works; throws only if even that fails. In Node this also turns on production mode, which
 * silences tfjs's "install tfjs-node" banner on stderr and skips its per-op NaN checks.
 */
export async function selectBackend(order: readonly BackendName[] = DEFAULT_ORDER): Promise<BackendName> {
  if (!isBrowser()) tf.enableProdMode();
  for (const name of order) {
    try {
      if (!(await register(name))) continue;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // A backend that registers but cannot initialise (no adapter, lost context) is simply skipped.
    }
  }
  if (await tf.setBackend('cpu')) return 'cpu';
  throw new Error('no TensorFlow.js backend could be initialised, not even cpu');
}

/** The backend in use now, or null before selectBackend. */
export function currentBackend(): BackendName | null {
  const name = tf.getBackend();
  return name === 'webgpu' || name === 'webgl' || name === 'cpu' ? name : null;
}
