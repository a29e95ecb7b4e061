// Runs a CommonJS bundle through V8's code cache, made after the run so that it holds every function
// the run compiled. Node's own compile cache (module.enableCompileCache) is made when a module is
// compiled, before it runs: it holds only the top level, and each start compiled the rest again.
// V8 checks a cache only against the source's length, flags and version, so the cache file's name
// carries the bundle's size and mtime and Node's version too. The cache lives in the user's own cache
// directory (another user must not be able to plant code there); when it can't be read or written,
// the bundle simply runs without it.
'use strict';
const { isAscii } = require('node:buffer');
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const { Script, constants } = require('node:vm');

function cacheFileFor(file) {
  const { size, mtimeMs } = statSync(file);
  const dir =
    process.env.NATS_WARDEN_CODE_CACHE ||
    // $HOME is what os.homedir() returns where it is set: node:os is one module less to load.
    join(
      process.env.XDG_CACHE_HOME || join(process.env.HOME || require('node:os').homedir(), '.cache'),
      'nats-warden',
      'code-cache',
    );
  const name = `${basename(file)}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.bin`;
  return { dir, path: join(dir, name) };
}

/** Loads a CommonJS bundle; returns its exports and `save`, to call once the run is over. */
function loadWithCodeCache(file) {
  const cache = cacheFileFor(file);
  let cachedData;
  try {
    cachedData = readFileSync(cache.path);
  } catch {
    // no cache yet
  }
  // An ASCII file (scripts/bundle-cli.ts makes it so) is read as Latin-1: the same characters, copied
  // into a one-byte string instead of decoded from UTF-8.
  const bytes = readFileSync(file);
  const text = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // CommonJS's own wrapper (what Module.wrap returns).
  const source = `(function (exports, require, module, __filename, __dirname) { ${text}\n});`;
  const script = new Script(source, {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const save = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
      const partial = `${cache.path}.${process.pid}`;
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      renameSync(partial, cache.path);
    } catch {
      // a read-only home: run uncached next time too
    }
  };
  return { exports: module.exports, save };
}

module.exports = { loadWithCodeCache };
