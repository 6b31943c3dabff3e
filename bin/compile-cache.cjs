// A V8 code cache for the bundle's files on Node versions without module.enableCompileCache (it
// came with Node 22.1). Parsing and compiling the bundle's JavaScript is most of what a start-up
// costs beyond bare `node`, and most of an order's CPU time (it compiles acme-client and the X.509
// library); V8 can skip both with the code it produced for the same source before.
//
// - Only files directly in the bundle directory are compiled here; everything else goes through
//   Node's own loader unchanged. The module semantics are the loader's: the same wrapper, `this`,
//   require (resolving from the file), module, __filename, __dirname.
// - The cache lives in <bundle>/.compile-cache, beside the code it belongs to: whoever can write
//   there can change the code itself, so it opens no new way in (unlike a shared temp dir). Where it
//   is not writable (a read-only install, another user) nothing is cached and nothing fails.
// - Code cache data is executable code to V8, and certnode runs as root: the cache is used only
//   while the directory and every entry belong to this user or root and no one else may write
//   them (trustedCacheDir); entries are written 0644 in a 0755 directory whatever the umask.
// - An entry is named by file, size and modification time (a rebuild makes new ones and drops the
//   old, and those of files it removed), and V8 itself refuses data from another V8 version, other flags or another source length:
//   then the file compiles as without a cache, and the entry is written anew.
// - Entries are written when the process exits, so they hold the functions the run compiled
//   lazily too; written to a temporary name and renamed, so concurrent runs never see half a file.
// - NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch for its cache) turns it off.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

/** Install the cache for the .cjs files directly in `bundleDir`. Returns whether it did. */
function enableBundleCompileCache(bundleDir) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return false;
  // dynamic import() in cached code needs this (Node >= 20.13); without it, no cache
  const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (importModuleDynamically === undefined) return false;
  const cacheDir = path.join(bundleDir, '.compile-cache');
  if (!trustedCacheDir(cacheDir)) return false;
  const produced = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileCached(content, filename) {
    if (path.dirname(filename) !== bundleDir || !filename.endsWith('.cjs')) return compile.call(this, content, filename);
    let entry;
    try {
      const stat = fs.statSync(filename);
      entry = `${path.basename(filename)}-${stat.size}-${Math.floor(stat.mtimeMs)}`;
    } catch {
      return compile.call(this, content, filename);
    }
    let cachedData;
    try {
      cachedData = fs.readFileSync(path.join(cacheDir, entry));
    } catch {
      // no entry yet
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically });
    if (cachedData === undefined || script.cachedDataRejected) produced.push({ entry, script });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    if (produced.length === 0) return;
    try {
      if (!fs.existsSync(cacheDir)) fs.mkdirSync(cacheDir, { mode: 0o755 });
      const existing = fs.readdirSync(cacheDir);
      for (const { entry, script } of produced) {
        const file = entry.slice(0, entry.lastIndexOf('-', entry.lastIndexOf('-') - 1) + 1);
        const tmp = path.join(cacheDir, `.${entry}.${process.pid}.tmp`);
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o644, flag: 'wx' });
        fs.renameSync(tmp, path.join(cacheDir, entry));
        // entries of an earlier build of the same file
        for (const old of existing) if (old.startsWith(file) && old !== entry) fs.rmSync(path.join(cacheDir, old), { force: true });
      }
      // entries of files a rebuild removed (chunk names change with their content)
      for (const old of existing) {
        const file = old.replace(/-\d+-\d+$/, '');
        if (file !== old && !fs.existsSync(path.join(bundleDir, file))) fs.rmSync(path.join(cacheDir, old), { force: true });
      }
    } catch {
      // not writable, full, gone: run without a cache next time too
    }
  });
  return true;
}

/**
 * Whether a cache directory may be used: missing (it will be made 0755 by this process), or a real
 * directory whose every entry (two levels: Node's own cache keeps one subdirectory per version)
 * is owned by this user or root, is no symbolic link, and is writable by no group or other user.
 * Anything else (an umask-000 run that made it 0777, another user's files, a link) turns the cache
 * off rather than let someone else's bytes become root's code.
 */
function trustedCacheDir(dir) {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : 0;
  const ok = (st) => (st.uid === uid || st.uid === 0) && (st.mode & 0o022) === 0 && !st.isSymbolicLink();
  let st;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    return err.code === 'ENOENT';
  }
  if (!st.isDirectory() || !ok(st)) return false;
  try {
    for (const name of fs.readdirSync(dir)) {
      const child = path.join(dir, name);
      const cst = fs.lstatSync(child);
      if (!ok(cst)) return false;
      if (cst.isDirectory()) for (const inner of fs.readdirSync(child)) if (!ok(fs.lstatSync(path.join(child, inner)))) return false;
    }
  } catch {
    return false;
  }
  return true;
}

module.exports = { enableBundleCompileCache, trustedCacheDir };
