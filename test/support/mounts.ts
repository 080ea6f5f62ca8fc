// Real file-system faults for tests, as root: a small tmpfs that fills up or goes read-only,
// and an ext4 image on a loop device where chattr +i makes a file or directory immutable.
// Every mount is undone by `unmountAll` (afterEach).
import {execFileSync} from 'node:child_process';
import {mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {tempDir} from './cli.js';

const mounted: string[] = [];

function sh(command: string, ...args: string[]): string {
  return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

/** A fresh tmpfs of `kib` KiB; returns its directory. */
export function mountTmpfs(kib: number): string {
  const dir = tempDir('berth-tmpfs-');
  sh('mount', '-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', dir);
  mounted.push(dir);
  return dir;
}

export function remountReadOnly(dir: string): void {
  sh('mount', '-o', 'remount,ro', dir);
}

export function remountReadWrite(dir: string): void {
  sh('mount', '-o', 'remount,rw', dir);
}

/** Fills a file system to the last byte (a file that grows until ENOSPC). */
export function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  try {
    sh('dd', 'if=/dev/zero', `of=${file}`, 'bs=4k');
  } catch {
    // dd stops with "No space left on device": that is the point.
  }
  return file;
}

/** An ext4 file system (on a loop device) of `mib` MiB; chattr works on it. */
export function mountExt4(mib = 8): string {
  const image = path.join(tempDir('berth-ext4-'), 'disk.img');
  sh('truncate', '-s', `${mib}M`, image);
  sh('mkfs.ext4', '-q', image);
  const dir = tempDir('berth-ext4-mnt-');
  sh('mount', '-o', 'loop', image, dir);
  mounted.push(dir);
  return dir;
}

export function setImmutable(file: string, immutable: boolean): void {
  sh('chattr', immutable ? '+i' : '-i', file);
}

export function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      // Immutable files would keep the image busy for nothing; clear them first.
      sh('chattr', '-R', '-i', dir);
    } catch {
      // tmpfs has no attributes.
    }
    try {
      sh('umount', '-l', dir);
    } catch {
      // already gone
    }
    rmSync(dir, {recursive: true, force: true});
  }
}

/** The config dir inside a mount, created. */
export function configDirIn(mount: string): string {
  const dir = path.join(mount, 'berth');
  mkdirSync(dir, {recursive: true});
  return dir;
}
