import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { test } from 'node:test';

/** electron-builder's configuration, the "build" key of package.json (electron-builder@26 reads it there). */
const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  build?: { files?: string[]; asar?: boolean; asarUnpack?: string[]; electronFuses?: Record<string, boolean> };
};
const build = pkg.build ?? {};

const unpacked = (path: string) => (build.asarUnpack ?? []).some((pattern) => matchesGlob(path, pattern));

/** Packages the packaged app ships (dependencies and optional ones, with theirs), as installed here. */
function productionPackages(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) return;
    seen.add(name);
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) visit(dependency);
  };
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(name);
  return [...seen];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Files a process must map from disk: native addons, shared libraries, WebAssembly. */
const NATIVE = /\.(node|wasm|dll|dylib)$|\.so(\.\d+)*$/;

test('the packaged binary has its fuses set: no run-as-node, NODE_OPTIONS or --inspect; the app only from a checked asar', () => {
  assert.deepEqual(
    {
      runAsNode: build.electronFuses?.runAsNode,
      enableNodeOptionsEnvironmentVariable: build.electronFuses?.enableNodeOptionsEnvironmentVariable,
      enableNodeCliInspectArguments: build.electronFuses?.enableNodeCliInspectArguments,
      enableEmbeddedAsarIntegrityValidation: build.electronFuses?.enableEmbeddedAsarIntegrityValidation,
      onlyLoadAppFromAsar: build.electronFuses?.onlyLoadAppFromAsar,
      grantFileProtocolExtraPrivileges: build.electronFuses?.grantFileProtocolExtraPrivileges,
    },
    {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // The renderer comes from app://gan-studio, so file:// pages need none of their old privileges.
      grantFileProtocolExtraPrivileges: false,
    },
  );
  assert.notEqual(build.asar, false, 'the app is packed into an asar (which the fuses check)');
  assert.ok(build.files?.includes('out/**/*'), 'the built bundles are packaged');
  assert.ok(pkg.main.startsWith('./out/'));
});

test('every native and WebAssembly piece the trainer loads is unpacked from the asar, and little else', () => {
  const installed: string[] = [];
  for (const name of productionPackages()) {
    for (const file of filesUnder(join(root, 'node_modules', name))) {
      if (NATIVE.test(file) && statSync(file).size > 0) installed.push(relative(root, file).split('\\').join('/'));
    }
  }
  assert.ok(installed.some((file) => file.startsWith('node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/') && file.endsWith('.wasm')));
  assert.ok(installed.some((file) => file.startsWith('node_modules/@img/') && file.endsWith('.node')), 'sharp is installed with its addon');
  // What other platforms and the optional backends install (not present on this machine).
  const elsewhere = [
    'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
    'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll',
    'node_modules/@img/sharp-libvips-darwin-arm64/lib/libvips-cpp.8.17.3.dylib',
    'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
    'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
    'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/tensorflow.dll',
    'node_modules/webgpu/dist/linux-x64.dawn.node',
  ];
  const missing = [...installed, ...elsewhere].filter((file) => !unpacked(file));
  assert.deepEqual(missing, [], 'left inside the asar, where they cannot be loaded');
  for (const bundle of ['out/main/index.js', 'out/renderer/index.html', 'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js', 'package.json']) {
    assert.equal(unpacked(bundle), false, `${bundle} stays in the asar (checked by its integrity)`);
  }
});
