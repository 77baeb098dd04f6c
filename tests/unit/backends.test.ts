import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, selectBackend } from '../../src/lib/nn/backends';

describe('selectBackend in Node', () => {
  it('picks wasm by default and says why; a GPU backend asked for is passed over with its reason', async () => {
    const auto = await selectBackend();
    expect(auto).toEqual({ name: 'wasm', reason: 'WebAssembly with XNNPACK on the CPU' });
    expect(currentBackend()).toBe('wasm');
    // The training kernels are in place once wasm is selected.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();

    const fallback = await selectBackend(['webgpu', 'webgl', 'cpu']);
    expect(fallback.name).toBe('cpu');
    expect(fallback.reason).toBe('plain JavaScript on the CPU: webgpu needs a browser; webgl needs a browser');
    expect(currentBackend()).toBe('cpu');

    expect(await selectBackend(['cpu'])).toEqual({ name: 'cpu', reason: 'plain JavaScript on the CPU (asked for)' });
  });
});
