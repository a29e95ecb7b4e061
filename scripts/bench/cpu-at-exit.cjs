// Preloaded (`node -r`) by `npm run bench -- cli --cpu`: at exit, writes the process's CPU time and
// its main thread's, in ms, to file descriptor 3. CPU time is what a loaded machine distorts least:
// time spent waiting for a core is not in it. The main thread's is the start's critical path; the
// process's adds what V8 does beside it (garbage collection, compiling hot code).
'use strict';
process.on('exit', () => {
  const main = process.threadCpuUsage();
  const all = process.cpuUsage();
  require('node:fs').writeSync(3, `${(main.user + main.system) / 1000} ${(all.user + all.system) / 1000}\n`);
});
