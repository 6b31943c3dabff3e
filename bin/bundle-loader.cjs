// Loads the bundle (dist/bundle, written by scripts/bundle.mjs) with a V8 code cache.
//
// Loading: the bundle's files name each other (`__chunk("chunk-X")`) instead of requiring paths,
// so a chunk costs one file read, not Node's resolution, realpath and module bookkeeping; the
// chunks every command needs are packed into main.cjs (`__chunk.define`) and cost no read at all.
// Each chunk runs once, with the CommonJS wrapper's variables (exports, require for node:
// built-ins, module, __filename, __dirname) and `this` as Node would give it.
//
// Code cache: parsing and compiling the bundle's JavaScript is most of what a start-up costs
// beyond bare `node`; V8 skips both with the code it produced for the same source before.
// - The cache lives in <bundle>/.compile-cache, beside the code it belongs to: whoever can write
//   there can change the code itself, so it opens no new way in (unlike a shared temp dir). Where
//   it is not writable (a read-only install, another user) nothing is cached and nothing fails.
// - Cached data is executable code to V8, and certnode runs as root: the directory is used only
//   while it belongs to this user or root, is no symbolic link and no one else may write it; an
//   entry only while it is a regular file (not followed through a link) with the same owners and
//   modes. Entries are written 0644 in a 0755 directory whatever the umask.
// - An entry is named by file, content hash (the file's header line) and length, so a rebuild
//   makes new ones (and drops the old, and those of chunks it removed); V8 itself refuses data
//   from another V8 version or other flags: then the file compiles as without a cache, and the
//   entry is written anew.
// - Entries are written when the process exits, so they hold the functions the run compiled
//   lazily too; to a temporary name, then renamed, so concurrent runs never see half a file.
// - NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch for its cache) turns it off.
// - CERTNODE_COMPILE_CACHE_TRAIN=1 rewrites the entry of every file the run compiled, also one
//   V8 accepted: the new entry holds what the old one held (V8 had it all compiled) and what this
//   run compiled on top. The build (scripts/bundle.mjs) runs a few common commands so, so that
//   main.cjs's entry serves them all, not just whichever command happened to run first.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const HEADER = /^\/\/certnode-bundle ([0-9a-f]+)\n/;
const LOADED = Symbol.for('certnode.bundle.loaded');

/**
 * Run the bundle's `entry` (main) from `bundleDir`. Returns false, having run nothing, when the
 * bundle is not there.
 */
function runBundle(bundleDir, entry) {
  const chunk = openBundle(bundleDir);
  if (!chunk) return false;
  chunk(entry);
  return true;
}

/**
 * The bundle in `bundleDir`, ready to run: main.cjs read (it defines the chunks packed into it,
 * the entry "main" among them, and runs none). Returns the function that runs a chunk once and
 * returns its exports; undefined when there is no bundle.
 */
function openBundle(bundleDir) {
  let source;
  const mainFile = path.join(bundleDir, 'main.cjs');
  try {
    source = fs.readFileSync(mainFile, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
  const cacheDir = path.join(bundleDir, '.compile-cache');
  const cache = !process.env.NODE_DISABLE_COMPILE_CACHE && trustedCacheDir(cacheDir) ? { dir: cacheDir, produced: [], train: process.env.CERTNODE_COMPILE_CACHE_TRAIN === '1' } : undefined;
  const modules = new Map();
  const packed = new Map();
  const loaded = [];
  globalThis[LOADED] = loaded; // which files of the bundle ran (tests map them to sources: dist/bundle/meta.json)

  function chunk(name) {
    const known = modules.get(name);
    if (known) return known.exports;
    const module = { exports: {} };
    modules.set(name, module);
    const file = path.join(bundleDir, `${name}.cjs`);
    loaded.push(file);
    const factory = packed.get(name) ?? compile(name, file, fs.readFileSync(file, 'utf8'));
    factory.call(module.exports, module.exports, require, module, file, bundleDir, chunk);
    return module.exports;
  }
  chunk.define = (factories) => {
    for (const [name, factory] of Object.entries(factories)) packed.set(name, factory);
  };

  function compile(name, file, text) {
    const hash = HEADER.exec(text)?.[1];
    const entryName = hash && cache ? `${name}-${hash}-${text.length}` : undefined;
    const cached = entryName ? readEntry(cache.dir, entryName) : undefined;
    const cachedData = cached === UNTRUSTED ? undefined : cached;
    // the file is a function expression (exports, require, module, __filename, __dirname, __chunk)
    const script = new vm.Script(text, { filename: file, cachedData });
    if (entryName && cached !== UNTRUSTED && (cache.train || cachedData === undefined || script.cachedDataRejected)) cache.produced.push({ name, entry: entryName, script });
    return script.runInThisContext({ displayErrors: true });
  }

  if (cache) process.once('exit', () => writeEntries(bundleDir, cache.dir, cache.produced));
  const definitions = { exports: {} };
  compile('main', mainFile, source).call(definitions.exports, definitions.exports, require, definitions, mainFile, bundleDir, chunk);
  return chunk;
}

const UNTRUSTED = Symbol('untrusted');

/**
 * An entry's bytes, when it is a regular file this user or root owns and no one else may write;
 * UNTRUSTED (neither used nor replaced) when it is anything else; undefined when there is none.
 */
function readEntry(dir, name) {
  let fd;
  try {
    fd = fs.openSync(path.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    return err.code === 'ENOENT' ? undefined : UNTRUSTED; // ELOOP: a symbolic link
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !trusted(st)) return UNTRUSTED;
    const data = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < st.size) {
      const n = fs.readSync(fd, data, done, st.size - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === st.size ? data : undefined;
  } catch {
    return UNTRUSTED; // unreadable: compiled as without one
  } finally {
    fs.closeSync(fd);
  }
}

function writeEntries(bundleDir, dir, produced) {
  if (produced.length === 0) return;
  try {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o755 });
    const existing = fs.readdirSync(dir);
    for (const { name, entry, script } of produced) {
      const tmp = path.join(dir, `.${entry}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o644, flag: 'wx' });
      fs.renameSync(tmp, path.join(dir, entry));
      // entries of an earlier build of the same file
      for (const old of existing) if (old !== entry && entryFile(old) === name) fs.rmSync(path.join(dir, old), { force: true });
    }
    // entries of files a rebuild removed (chunk names change with their content), and of an
    // older certnode's cache layout
    for (const old of existing) {
      if (old.startsWith('.')) continue; // another run's entry being written
      const file = entryFile(old);
      if (file === undefined || !fs.existsSync(path.join(bundleDir, `${file}.cjs`))) fs.rmSync(path.join(dir, old), { force: true, recursive: true });
    }
  } catch {
    // not writable, full, gone: run without a cache next time too
  }
}

/** The file an entry belongs to: `main-<hash>-<length>` -> main. */
function entryFile(entry) {
  return /^(main|acme-lib|chunk-[A-Z0-9]+)-[0-9a-f]{16}-\d+$/.exec(entry)?.[1];
}

function trusted(st) {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : 0;
  return (st.uid === uid || st.uid === 0) && (st.mode & 0o022) === 0;
}

/**
 * Whether the cache directory may be used: missing (this process makes it 0755), or a real
 * directory (no symbolic link) owned by this user or root that no group or other user may write.
 * Anything else (an umask-000 run that made it 0777, another user's directory, a link) turns the
 * cache off rather than let someone else's bytes become root's code.
 */
function trustedCacheDir(dir) {
  let st;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    return err.code === 'ENOENT';
  }
  return st.isDirectory() && trusted(st);
}

module.exports = { openBundle, runBundle, trustedCacheDir };
