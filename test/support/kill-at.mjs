// Preloaded into berth (`node --import`) to kill it at an exact point, the way a crash, Ctrl+C or
// a full disk would stop it. BERTH_TEST_KILL_AT names the point:
//   before:SQL / after:SQL   around the first DatabaseSync#exec(SQL) of the process
//   rename:FILE              just before a file named FILE is renamed into place (conf's write)
// BERTH_TEST_KILL_SIGNAL is the signal (default SIGKILL; SIGINT is Ctrl+C without a handler).
import fs from 'node:fs';
import {syncBuiltinESMExports} from 'node:module';
import path from 'node:path';
import {DatabaseSync} from 'node:sqlite';

const point = process.env.BERTH_TEST_KILL_AT ?? '';
const signal = process.env.BERTH_TEST_KILL_SIGNAL ?? 'SIGKILL';
const die = () => {
  // Node would run JS handlers (signal-exit's, under a lock) on delivery; this thread is stuck
  // here, so run them now, as they would run, then deliver the signal itself.
  if (process.listenerCount(signal) > 0) process.emit(signal, signal);
  process.kill(process.pid, signal);
  // A signal is delivered asynchronously to this very thread: never run on past the point.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
};

const exec = DatabaseSync.prototype.exec;
DatabaseSync.prototype.exec = function (sql) {
  if (point === `before:${sql}`) die();
  const result = exec.call(this, sql);
  if (point === `after:${sql}`) die();
  return result;
};

const rename = fs.renameSync;
fs.renameSync = function (from, to) {
  if (point === `rename:${path.basename(String(to))}`) die();
  return rename.call(this, from, to);
};
syncBuiltinESMExports();
