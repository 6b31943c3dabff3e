// Which sources a certnode run loads: a module hook (node:module register) notes every ES module
// file the process loads, require.cache at exit every CommonJS one, and the bundle's loader
// (bin/bundle-loader.cjs) the chunks of dist/bundle that ran, packed into main.cjs or not; those
// are mapped back to the sources they hold through esbuild's metafile. Used to show that a command does not load the ACME layer.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, ROOT } from './cli.ts';

export interface ProbeResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Loaded sources, relative to the repository (e.g. node_modules/commander/lib/command.js). */
  sources: string[];
  /** Node's own modules the main thread loaded (process.moduleLoadList at exit), e.g. `crypto`, `internal/crypto/x509`. */
  builtins: string[];
}

/** Asynchronous, so servers in the test's own process (a mock proxy) keep answering meanwhile. */
export async function runProbed(args: readonly string[], env: Record<string, string>): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'certnode-probe-'));
  try {
    const out = join(dir, 'loaded.txt');
    writeFileSync(out, '');
    const builtinsOut = join(dir, 'builtins.txt');
    writeFileSync(builtinsOut, '');
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      "import { appendFileSync } from 'node:fs';\nlet out;\nexport function initialize(data) { out = data.out; }\n" +
        "export async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(out, url + '\\n'); return next(url, context); }\n",
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out: ${JSON.stringify(out)} } });\n`);
    // the bundle is CommonJS run by bin/bundle-loader.cjs, which the module hook does not see:
    // what require() loaded is in require.cache at exit, the chunks that ran in the loader's list
    const cjsHook = join(dir, 'required.cjs');
    writeFileSync(
      cjsHook,
      `const { appendFileSync } = require('node:fs');\nconst { pathToFileURL } = require('node:url');\n` +
        `process.on('exit', () => { const files = [...Object.keys(require.cache), ...(globalThis[Symbol.for('certnode.bundle.loaded')] ?? [])]; ` +
        `appendFileSync(${JSON.stringify(out)}, files.map((f) => pathToFileURL(f).href + '\\n').join('')); ` +
        `appendFileSync(${JSON.stringify(builtinsOut)}, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13) + '\\n').join('')); });\n`,
    );
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--require', cjsHook, '--import', pathToFileURL(register).href, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
    const files = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((url) => fileURLToPath(url));
    const builtins = readFileSync(builtinsOut, 'utf8').split('\n').filter(Boolean);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, sources: [...new Set(files.flatMap(sourcesOf))], builtins };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let meta: { outputs: Record<string, { inputs: Record<string, unknown> }> } | undefined;

function sourcesOf(file: string): string[] {
  const rel = relative(ROOT, file);
  const metaFile = join(ROOT, 'dist', 'bundle', 'meta.json');
  if (rel.startsWith('dist/bundle/') && existsSync(metaFile)) {
    meta ??= JSON.parse(readFileSync(metaFile, 'utf8')) as NonNullable<typeof meta>;
    return Object.keys(meta.outputs[rel]?.inputs ?? {});
  }
  return [rel];
}
