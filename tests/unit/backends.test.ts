import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  backendOrder,
  choiceFor,
  currentBackend,
  DEFAULT_ORDER,
  parseBackendName,
  selectBackend,
  useAdapter,
  webglAdapter,
  webgpuAdapter,
} from '../../src/lib/nn/backends';

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

  it('asked for webgpu where there is none, it falls through to the rest of the order and says why', async () => {
    const choice = await selectBackend(backendOrder('webgpu', ['wasm', 'cpu']), { asked: 'webgpu' });
    expect(choice).toEqual({ name: 'wasm', reason: 'WebAssembly with XNNPACK on the CPU: webgpu needs a browser' });
  });
});

describe('the rules behind the choice', () => {
  it('?backend= names a backend, in any case; anything else is ignored', () => {
    expect(parseBackendName('webgpu')).toBe('webgpu');
    expect(parseBackendName(' WebGL ')).toBe('webgl');
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(parseBackendName('cpu')).toBe('cpu');
    for (const bad of ['', 'gpu', 'tensorflow', null, undefined]) expect(parseBackendName(bad)).toBeNull();
  });

  it('the backend asked for goes first and the rest of the order follows it unchanged', () => {
    expect(backendOrder('webgl', DEFAULT_ORDER)).toEqual(['webgl', 'webgpu', 'wasm', 'cpu']);
    expect(backendOrder('cpu', DEFAULT_ORDER)).toEqual(['cpu', 'webgpu', 'webgl', 'wasm']);
    expect(backendOrder(null, DEFAULT_ORDER)).toEqual([...DEFAULT_ORDER]);
  });

  it('tells software adapters from GPUs: the fallback flag, SwiftShader, llvmpipe', () => {
    // What headless Chromium reports with --enable-unsafe-webgpu (not flagged as a fallback there).
    expect(webgpuAdapter({ vendor: 'google', architecture: 'swiftshader' })).toEqual({
      name: 'google swiftshader',
      software: true,
    });
    expect(webgpuAdapter({ vendor: '', architecture: '', isFallbackAdapter: true }).software).toBe(true);
    expect(webgpuAdapter({ vendor: 'nvidia', architecture: 'hopper' })).toEqual({
      name: 'nvidia hopper',
      software: false,
    });
    expect(
      webglAdapter('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)'),
    ).toEqual({ name: 'SwiftShader', software: true });
    expect(webglAdapter('llvmpipe (LLVM 15.0.6, 256 bits)')).toEqual({ name: 'llvmpipe', software: true });
    expect(webglAdapter('ANGLE (NVIDIA, NVIDIA H100 80GB HBM3 Direct3D11 vs_5_0 ps_5_0)').software).toBe(false);
  });

  it('the automatic order skips a software adapter; asked for by name, it is used', () => {
    const swiftshader = webgpuAdapter({ vendor: 'google', architecture: 'swiftshader' });
    expect(useAdapter('webgpu', swiftshader, null)).toEqual({
      use: false,
      why: 'WebGPU is a software adapter (google swiftshader)',
    });
    // Asking for another backend does not unlock this one.
    expect(useAdapter('webgpu', swiftshader, 'webgl').use).toBe(false);
    expect(useAdapter('webgpu', swiftshader, 'webgpu')).toEqual({ use: true });
    const soft = webglAdapter('SwiftShader Device');
    expect(useAdapter('webgl', soft, null)).toEqual({
      use: false,
      why: 'WebGL is a software rasteriser (SwiftShader)',
    });
    expect(useAdapter('webgl', soft, 'webgl')).toEqual({ use: true });
    // A real GPU is used asked for or not.
    expect(useAdapter('webgpu', { name: 'nvidia hopper', software: false }, null)).toEqual({ use: true });
  });

  it('the badge says when a GPU backend runs on a software adapter, and that it was asked for', () => {
    const swiftshader = webgpuAdapter({ vendor: 'google', architecture: 'swiftshader' });
    expect(choiceFor('webgpu', [], backendOrder('webgpu', DEFAULT_ORDER), 'webgpu', swiftshader)).toEqual({
      name: 'webgpu',
      reason: 'WebGPU on a software adapter: slow, for testing (google swiftshader, asked for)',
      adapter: swiftshader,
    });
    const soft = webglAdapter('SwiftShader Device');
    expect(choiceFor('webgl', [], backendOrder('webgl', DEFAULT_ORDER), 'webgl', soft).reason).toBe(
      'WebGL on a software adapter: slow, for testing (SwiftShader, asked for)',
    );
    // webgl asked for on a machine with no WebGL at all: WebGPU on a real GPU, with the reason.
    const gpu = { name: 'nvidia hopper', software: false };
    expect(choiceFor('webgpu', ['no WebGL'], backendOrder('webgl', DEFAULT_ORDER), 'webgl', gpu).reason).toBe(
      'WebGPU on the GPU (nvidia hopper): no WebGL',
    );
    expect(choiceFor('webgpu', [], DEFAULT_ORDER, null, gpu).reason).toBe('WebGPU on the GPU (nvidia hopper)');
    expect(choiceFor('webgpu', [], DEFAULT_ORDER, null, { name: '', software: false }).reason).toBe(
      'WebGPU on the GPU',
    );
  });
});
