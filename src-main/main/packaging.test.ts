import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import sharp from 'sharp';
import type { Configuration } from 'electron-builder';

/** electron-builder's configuration, the "build" key of package.json (electron-builder@26 reads it there). */
const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  homepage?: string;
  author?: string | { email?: string };
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  build?: Configuration & { electronFuses?: Record<string, boolean> };
};
const build = pkg.build ?? {};

/**
 * The minimatch electron-builder itself matches asarUnpack with (app-builder-lib's own copy,
 * fileMatcher.ts), with its options: `dot: true`, each pattern against the path relative to the
 * app folder, e.g. node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64-0.35.5.node.
 */
const builderRequire = createRequire(createRequire(import.meta.url).resolve('app-builder-lib/package.json'));
const { Minimatch } = builderRequire('minimatch') as {
  Minimatch: new (pattern: string, options: { dot: boolean }) => { match(path: string): boolean };
};
const unpackPatterns = (build.asarUnpack === undefined || build.asarUnpack === null ? [] : [build.asarUnpack].flat()).map(
  (pattern) => new Minimatch(pattern, { dot: true }),
);
const unpacked = (path: string) => unpackPatterns.some((pattern) => pattern.match(path));

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
  assert.ok([build.files ?? []].flat().includes('out/**/*'), 'the built bundles are packaged');
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
    // The threaded build's main script and worker source, which wasm-threads.ts loads from files.
    'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
    'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
    'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll',
    'node_modules/@img/sharp-libvips-darwin-arm64/lib/libvips-cpp.8.17.3.dylib',
    'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
    'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
    'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/tensorflow.dll',
    'node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node',
    // Dawn's Node-API addon (package `webgpu`): dist/<platform>-<arch>.dawn.node.
    'node_modules/webgpu/dist/linux-x64.dawn.node',
    'node_modules/webgpu/dist/win32-x64.dawn.node',
    'node_modules/webgpu/dist/darwin-arm64.dawn.node',
    'node_modules/webgpu/dist/darwin-x64.dawn.node',
  ];
  const missing = [...installed, ...elsewhere].filter((file) => !unpacked(file));
  assert.deepEqual(missing, [], 'left inside the asar, where they cannot be loaded');
  for (const bundle of ['out/main/index.js', 'out/renderer/index.html', 'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js', 'package.json']) {
    assert.equal(unpacked(bundle), false, `${bundle} stays in the asar (checked by its integrity)`);
  }
});

test('the configuration is valid by the JSON schema electron-builder ships (app-builder-lib/scheme.json)', () => {
  const schema = JSON.parse(readFileSync(builderRequire.resolve('./scheme.json'), 'utf8')) as object;
  // electron-builder's own options (schemaValidator.ts) but no type coercion: "true" for true fails here.
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const valid = validate(build);
  assert.deepEqual(validate.errors ?? [], [], 'electron-builder would refuse this configuration');
  assert.equal(valid, true);
  // The schema does check: a misspelt option fails (a schema that accepted anything would pass above).
  assert.equal(validate({ ...build, asarUnpak: ['x'] }), false);
  assert.equal(validate({ ...build, linux: { target: 'AppImage', categry: 'Graphics' } }), false);
});

test('installers: AppImage and deb, NSIS, dmg; one app id and name; no file associations or URL schemes', () => {
  const targets = (platform: { target?: unknown } | null | undefined) =>
    [platform?.target ?? []].flat().map((target) => (typeof target === 'string' ? target : (target as { target: string }).target));
  assert.deepEqual(targets(build.linux), ['AppImage', 'deb']);
  assert.deepEqual(targets(build.win), ['nsis']);
  assert.deepEqual(targets(build.mac), ['dmg']);
  assert.match(build.appId ?? '', /^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*){2,}$/, 'a reverse-DNS app id');
  assert.equal(build.productName, 'GAN Studio');
  for (const options of [build, build.linux, build.win, build.mac] as Array<Record<string, unknown> | null | undefined>) {
    assert.equal(options?.fileAssociations, undefined, 'GAN Studio opens no file types');
    assert.equal(options?.protocols, undefined, 'GAN Studio registers no URL scheme');
    assert.equal(options?.mimeTypes, undefined);
  }
  assert.equal(pkg.scripts.dist, 'npm run build && electron-builder --publish never', 'npm run dist builds the bundles, then the installers');
  // All native pieces are Node-API (sharp, tfjs-node's napi-v8 binding, dawn.node): nothing to rebuild for
  // Electron, and @electron/rebuild needs Node 22.12 where the project supports 20.19.
  assert.equal(build.npmRebuild, false);
  assert.ok([build.files ?? []].flat().includes('!**/*.map'), 'source maps stay out of the installer (two thirds of the asar)');
});

test('the icon electron-builder converts for every target is a square PNG of at least 512 pixels, made from build/icon.svg', async () => {
  assert.equal(build.icon, 'build/icon.png');
  assert.equal(build.directories?.buildResources, 'build');
  const meta = await sharp(join(root, 'build/icon.png')).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, meta.height);
  assert.ok((meta.width ?? 0) >= 512, `macOS needs at least 512 × 512, got ${meta.width}`);
  assert.ok(existsSync(join(root, 'build/icon.svg')) && existsSync(join(root, 'scripts/make-icon.ts')), 'the source and the script that renders it');
});

test(
  'the deb target has a maintainer and a homepage (electron-builder refuses to build the deb without them)',
  { todo: 'the project has no author e-mail or homepage yet: set "author" (with email) and "homepage" in package.json' },
  () => {
    const email = typeof pkg.author === 'string' ? /<[^>]+@[^>]+>/.test(pkg.author) : Boolean(pkg.author?.email);
    assert.ok(email || (build.linux as { maintainer?: string } | undefined)?.maintainer, 'a maintainer address');
    assert.ok(pkg.homepage, 'a homepage');
  },
);
