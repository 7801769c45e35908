/**
 * Builds the GPU device bundle (issue 13, "A GPU device check"): one folder, `device-bundle/` at the
 * repository root (gitignored), that runs `gan-studio bench --backend webgpu` beside the PyTorch
 * reference on a Linux x86-64 machine with a GPU but no network and none of this checkout's
 * node_modules. See src-main/bench/README.md for how to build, carry and run it.
 *
 *   npm run device-bundle            (node --import tsx src-main/bench/device-bundle.ts [OUT_DIR])
 *
 * What goes in (sizes as built on this project's machines):
 *   run.sh, bench-vs-torch.sh, torch_dcgan.py, README.md, MANIFEST.txt
 *   node.gz        this machine's Node (stripped of debug symbols where `strip` exists), gzip -9
 *   app/bench.mjs  src-main/bench/device-entry.ts bundled by esbuild with tfjs, tfjs-backend-webgpu
 *                  and tfjs-backend-wasm inlined; the wasm backend's .wasm files beside it
 *   app/node_modules/webgpu/…/dawn.node.gz    Dawn's prebuilt linux-x64 Node-API module, gzip -9
 *   app/node_modules/@tensorflow/tfjs-backend-wasm/{package.json,wasm-out/*.js}   the threaded wasm
 *                  build's pthread scripts, which src-main/trainer/wasm-threads.ts loads by path
 *   vulkan/libvulkan.so.1   the Khronos Vulkan loader from Debian's libvulkan1 (`apt-get download`),
 *                  used by run.sh only where the machine has none
 *
 * Env: TORCH_DCGAN (path of torch_dcgan.py; default ../shared/bench/ beside the main checkout),
 * VULKAN_DEB (a libvulkan1 .deb already downloaded, instead of apt-get).
 * Exits 1 with one line naming what is missing when a part cannot be had; the bundle is then absent.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** What the device machine takes: the working tree and the carried paths together (device README). */
export const BUNDLE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The files a complete bundle holds, relative to its folder. */
export const BUNDLE_FILES: readonly string[] = [
  'run.sh',
  'bench-vs-torch.sh',
  'torch_dcgan.py',
  'README.md',
  'MANIFEST.txt',
  'node.gz',
  'app/bench.mjs',
  'app/tfjs-backend-wasm.wasm',
  'app/tfjs-backend-wasm-simd.wasm',
  'app/tfjs-backend-wasm-threaded-simd.wasm',
  'app/node_modules/webgpu/package.json',
  'app/node_modules/webgpu/index.js',
  'app/node_modules/webgpu/dist/linux-x64/dawn.node.gz',
  'app/node_modules/@tensorflow/tfjs-backend-wasm/package.json',
  'app/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
  'app/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
  'vulkan/libvulkan.so.1',
];

/** Every file under `dir` with its size in bytes (apparent size, what a copy moves), paths relative to `dir`. */
export function listFiles(dir: string): Array<{ path: string; bytes: number }> {
  const found: Array<{ path: string; bytes: number }> = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push({ path: relative(dir, full), bytes: statSync(full).size });
    }
  };
  walk(dir);
  return found.sort((a, b) => b.bytes - a.bytes);
}

/** What checkBundle found: the total size and each problem as one line (none: the bundle is complete). */
export interface BundleCheck {
  bytes: number;
  problems: string[];
}

/**
 * Checks a built bundle folder: every file of BUNDLE_FILES is there and the whole folder is under
 * `limit` bytes (default BUNDLE_LIMIT_BYTES, 64 MiB). Never throws for a missing file: it is a problem.
 */
export function checkBundle(dir: string, limit = BUNDLE_LIMIT_BYTES): BundleCheck {
  if (!existsSync(dir)) return { bytes: 0, problems: [`${dir} does not exist: run \`npm run device-bundle\``] };
  const files = listFiles(dir);
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const present = new Set(files.map((f) => f.path.split('\\').join('/')));
  const problems = BUNDLE_FILES.filter((f) => !present.has(f)).map((f) => `${f} is missing`);
  if (bytes >= limit) problems.push(`the bundle is ${mib(bytes)}; the device machine takes less than ${mib(limit)}`);
  return { bytes, problems };
}

/** Bytes as MiB with one decimal: "48.3 MiB". */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A build step that cannot be done: its message is the one line the build prints. */
class BuildError extends Error {}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const projectRequire = createRequire(join(repoRoot, 'package.json'));

/** The folder of an installed package (the one holding its package.json). */
function packageDir(name: string): string {
  try {
    return dirname(projectRequire.resolve(`${name}/package.json`));
  } catch {
    throw new BuildError(`the package ${name} is not installed (npm install)`);
  }
}

function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function gzipFile(from: string, to: string): void {
  writeFileSync(to, gzipSync(readFileSync(from), { level: 9 }));
}

/** torch_dcgan.py: TORCH_DCGAN, or shared/bench/ beside this checkout or beside the main checkout of a worktree. */
function torchScript(): string {
  const candidates = process.env.TORCH_DCGAN ? [process.env.TORCH_DCGAN] : [join(repoRoot, '../shared/bench/torch_dcgan.py')];
  if (!process.env.TORCH_DCGAN) {
    try {
      const common = run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], repoRoot).trim();
      candidates.push(join(dirname(common), '../shared/bench/torch_dcgan.py'));
    } catch {
      // Not a git checkout: only the first place.
    }
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new BuildError(`torch_dcgan.py not found at ${candidates.join(' or ')} (set TORCH_DCGAN to its path)`);
  return found;
}

/** Bundles device-entry.ts into app/bench.mjs: tfjs and its backends inlined, Dawn's package left to app/node_modules. */
async function bundleEntry(app: string): Promise<void> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new BuildError('esbuild is not installed (it comes with tsx and vite: npm install)');
  }
  await esbuild.build({
    entryPoints: [join(repoRoot, 'src-main/bench/device-entry.ts')],
    outfile: join(app, 'bench.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As Node resolves them: tfjs's packages' "main" is their Node build, one tfjs-core for all.
    mainFields: ['main', 'module'],
    // Loaded from app/node_modules at run time: webgpu.ts resolves the package's path for its probe child.
    external: ['webgpu'],
    // The inlined CommonJS builds (tfjs, the wasm backend's emscripten glue, which finds its .wasm
    // files in __dirname) expect require, __filename and __dirname, which an ES module lacks.
    banner: {
      js: [
        "import { createRequire as __bundleRequire } from 'node:module';",
        "import { fileURLToPath as __bundlePath } from 'node:url';",
        "import { dirname as __bundleDir } from 'node:path';",
        'const require = __bundleRequire(import.meta.url);',
        'const __filename = __bundlePath(import.meta.url);',
        'const __dirname = __bundleDir(__filename);',
      ].join(' '),
    },
    logLevel: 'error',
    legalComments: 'none',
  });
}

/** The Vulkan loader from Debian's libvulkan1: VULKAN_DEB, or `apt-get download` with lists kept in a temp folder. */
function vulkanLoader(into: string, scratch: string): string {
  let deb = process.env.VULKAN_DEB;
  if (!deb) {
    const lists = join(scratch, 'apt-lists');
    const cache = join(scratch, 'apt-cache');
    mkdirSync(join(lists, 'partial'), { recursive: true });
    mkdirSync(join(cache, 'archives/partial'), { recursive: true });
    // The machine's own apt state is left alone: lists and cache live in the scratch folder.
    const options = ['-o', `Dir::State::Lists=${lists}`, '-o', `Dir::Cache=${cache}`, '-o', 'APT::Architecture=amd64', '-qq'];
    try {
      run('apt-get', [...options, 'update']);
      run('apt-get', [...options, 'download', 'libvulkan1'], scratch);
    } catch (error) {
      const why = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? String(error);
      throw new BuildError(`could not download Debian's libvulkan1 (${why}); set VULKAN_DEB to a downloaded libvulkan1_*_amd64.deb`);
    }
    deb = readdirSync(scratch).filter((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)).map((f) => join(scratch, f))[0];
    if (!deb) throw new BuildError('apt-get download libvulkan1 left no .deb');
  }
  const unpacked = join(scratch, 'libvulkan1');
  try {
    run('dpkg-deb', ['-x', deb, unpacked]);
  } catch {
    throw new BuildError(`could not unpack ${deb} (dpkg-deb)`);
  }
  const libDir = join(unpacked, 'usr/lib/x86_64-linux-gnu');
  const real = existsSync(libDir) ? readdirSync(libDir).find((f) => /^libvulkan\.so\.1\.\d/.test(f)) : undefined;
  if (!real) throw new BuildError(`${deb} holds no libvulkan.so.1`);
  mkdirSync(into, { recursive: true });
  copyFileSync(join(libDir, real), join(into, 'libvulkan.so.1'));
  const copyright = join(unpacked, 'usr/share/doc/libvulkan1/copyright');
  if (existsSync(copyright)) copyFileSync(copyright, join(into, 'COPYRIGHT'));
  return basename(deb);
}

/** Node for the bundle: this machine's binary, stripped of debug symbols where binutils' strip is there, gzip -9. */
function nodeBinary(to: string, scratch: string): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new BuildError(`the bundle carries this machine's Node, which must be Linux x86-64, not ${process.platform}-${process.arch}`);
  }
  const stripped = join(scratch, 'node');
  let how = 'stripped';
  try {
    run('strip', ['-o', stripped, process.execPath]);
  } catch {
    copyFileSync(process.execPath, stripped);
    how = 'not stripped (no strip)';
  }
  gzipFile(stripped, to);
  return how;
}

/** Builds the bundle into `out` (replaced when it exists); returns what checkBundle says of it. */
export async function buildDeviceBundle(out: string): Promise<BundleCheck> {
  const here = dirname(fileURLToPath(import.meta.url));
  const scratch = mkdtempSync(join(tmpdir(), 'gan-device-bundle-'));
  // Built beside `out` and renamed into place, so a failed build leaves no half bundle.
  const building = `${out}.building`;
  rmSync(building, { recursive: true, force: true });
  try {
    const app = join(building, 'app');
    mkdirSync(app, { recursive: true });
    const torch = torchScript();

    await bundleEntry(app);

    const wasm = packageDir('@tensorflow/tfjs-backend-wasm');
    for (const file of readdirSync(join(wasm, 'dist')).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasm, 'dist', file), join(app, file));
    const wasmPackage = join(app, 'node_modules/@tensorflow/tfjs-backend-wasm');
    mkdirSync(wasmPackage, { recursive: true });
    copyFileSync(join(wasm, 'package.json'), join(wasmPackage, 'package.json'));
    // The pthread scripts only: the workers get the compiled module from the main thread, which
    // reads the .wasm files beside bench.mjs.
    mkdirSync(join(wasmPackage, 'wasm-out'));
    for (const file of readdirSync(join(wasm, 'wasm-out')).filter((f) => f.endsWith('.js'))) {
      copyFileSync(join(wasm, 'wasm-out', file), join(wasmPackage, 'wasm-out', file));
    }

    const webgpu = packageDir('webgpu');
    const dawn = join(webgpu, 'dist/linux-x64/dawn.node');
    if (!existsSync(dawn)) throw new BuildError(`${dawn} is missing: the webgpu package ships no linux-x64 build`);
    const webgpuCopy = join(app, 'node_modules/webgpu');
    mkdirSync(join(webgpuCopy, 'dist/linux-x64'), { recursive: true });
    for (const file of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(webgpu, file), join(webgpuCopy, file));
    gzipFile(dawn, join(webgpuCopy, 'dist/linux-x64/dawn.node.gz'));

    const nodeHow = nodeBinary(join(building, 'node.gz'), scratch);
    const vulkanDeb = vulkanLoader(join(building, 'vulkan'), scratch);

    copyFileSync(join(here, 'device-run.sh'), join(building, 'run.sh'));
    copyFileSync(join(here, 'bench-vs-torch.sh'), join(building, 'bench-vs-torch.sh'));
    chmodSync(join(building, 'run.sh'), 0o755);
    chmodSync(join(building, 'bench-vs-torch.sh'), 0o755);
    copyFileSync(torch, join(building, 'torch_dcgan.py'));
    copyFileSync(join(here, 'README.md'), join(building, 'README.md'));

    const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    let commit = 'unknown';
    try {
      commit = run('git', ['rev-parse', '--short', 'HEAD'], repoRoot).trim();
    } catch {
      // Not a git checkout.
    }
    writeFileSync(
      join(building, 'MANIFEST.txt'),
      [
        `GAN Studio GPU device bundle, built ${new Date().toISOString()} from commit ${commit}`,
        `node ${process.version} (linux-x64, ${nodeHow}), gzip -9`,
        `@tensorflow/tfjs ${version(packageDir('@tensorflow/tfjs'))}, tfjs-backend-webgpu ${version(packageDir('@tensorflow/tfjs-backend-webgpu'))}, tfjs-backend-wasm ${version(wasm)} (inlined in app/bench.mjs)`,
        `webgpu ${version(webgpu)} (Dawn, dist/linux-x64/dawn.node, gzip -9)`,
        `Vulkan loader from ${vulkanDeb}`,
        `torch_dcgan.py from ${torch}`,
        '',
      ].join('\n'),
    );

    rmSync(out, { recursive: true, force: true });
    renameSync(building, out);
  } finally {
    rmSync(building, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
  return checkBundle(out);
}

/** The size of what travels besides the bundle: tracked and untracked-not-ignored files (device README). */
function workingTreeBytes(): number | null {
  try {
    const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot).split('\0').filter(Boolean);
    return files.reduce((sum, f) => sum + (existsSync(join(repoRoot, f)) ? statSync(join(repoRoot, f)).size : 0), 0);
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const out = resolve(process.argv[2] ?? join(repoRoot, 'device-bundle'));
  try {
    const { bytes, problems } = await buildDeviceBundle(out);
    for (const f of listFiles(out).slice(0, 6)) process.stdout.write(`  ${mib(f.bytes).padStart(9)}  ${f.path}\n`);
    process.stdout.write(`device bundle: ${out}, ${mib(bytes)} (limit ${mib(BUNDLE_LIMIT_BYTES)})\n`);
    const tree = workingTreeBytes();
    if (tree !== null) {
      process.stdout.write(`with the working tree (${mib(tree)}) the device machine gets ${mib(tree + bytes)} of its ${mib(BUNDLE_LIMIT_BYTES)}\n`);
    }
    for (const p of problems) process.stderr.write(`device-bundle: ${p}\n`);
    return problems.length ? 1 : 0;
  } catch (error) {
    if (error instanceof BuildError) {
      process.stderr.write(`device-bundle: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
