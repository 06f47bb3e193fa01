/**
 * Bench instrumentation preloaded into the server by run.ts
 * (`node --expose-gc -r dist/bench/server-preload.js dist/apps/landside/src/main.js`); it changes
 * nothing else in the server.
 *
 * - SIGWINCH: a full garbage collection in every thread, now and 300 ms later (needs
 *   --expose-gc; `-r` preloads run in worker threads too, and the main thread tells them over a
 *   BroadcastChannel), so that the generator's memory samples compare live memory, not whatever
 *   garbage a thread left: the embedded-database worker ends its start-up holding ~350 MiB of
 *   garbage (the data-directory image it loaded) that it frees only when it next collects — at
 *   some random moment under load, which made "RSS per connection" negative. SIGWINCH is ignored
 *   by default, so sending it to a server without this preload is harmless.
 * - SIGUSR2 (only when BENCH_CPU_PROFILE_DIR is set): the first starts the V8 CPU profiler, the
 *   second stops it and writes `$BENCH_CPU_PROFILE_DIR/server-<pid>-<n>.cpuprofile` (the format of
 *   `node --cpu-prof`, for Chrome DevTools or profile-top.ts). The generator sends them at the
 *   start and the end of the steady window, so the profile holds exactly that window;
 *   `node --cpu-prof` would mix in start-up and ramp, and writes nothing when the server ends by
 *   re-raising SIGTERM after its shutdown hooks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const gc = (globalThis as { gc?: () => void }).gc;
const gcChannel = new BroadcastChannel('landside-bench-gc');
gcChannel.unref();
const collect = (): void => {
  gc?.();
  // Once more a little later: freed ArrayBuffer backing stores (the worker's data-directory image)
  // are released by tasks that run on a later turn of the thread's event loop.
  setTimeout(() => gc?.(), 300).unref();
};
gcChannel.onmessage = collect;

if (isMainThread) {
  process.on('SIGWINCH', () => {
    if (!gc) process.stderr.write('[bench-preload] SIGWINCH: no gc(), start node with --expose-gc\n');
    gcChannel.postMessage('gc');
    collect();
  });
}

const profileDir = process.env['BENCH_CPU_PROFILE_DIR'];
if (profileDir && isMainThread) {
  const intervalUs = Number(process.env['BENCH_CPU_PROFILE_INTERVAL_US'] ?? 500);
  const session = new Session();
  session.connect();
  let running = false;
  let count = 0;

  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)));
    });

  const toggle = async (): Promise<void> => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: intervalUs });
      await post('Profiler.start');
      process.stderr.write(`[bench-preload] CPU profile started (pid ${process.pid})\n`);
      return;
    }
    running = false;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(profileDir, { recursive: true });
    const file = join(profileDir, `server-${process.pid}-${++count}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`[bench-preload] CPU profile written: ${file}\n`);
  };

  process.on('SIGUSR2', () => {
    toggle().catch((err: unknown) => process.stderr.write(`[bench-preload] ${String(err)}\n`));
  });
}
