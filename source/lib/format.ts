// Sizes and times for people, said one way everywhere (CLI and TUI). Sizes are binary, as disks
// and `du -h`; times are local and short (JSON keeps ISO 8601).

/** `512 B`, `1.5 KiB`, `120.0 MiB`, `2.1 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `45s ago`, `3m ago`, `5h ago`, `2d ago`; empty for a time that does not parse. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return '';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** Local time to the second, `2026-12-02 14:02:05`; the text itself when it does not parse. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** When, for a list: how long ago within a week (`3m ago`), else the local day (`2026-11-20`). */
export function when(iso: string, now = Date.now()): string {
  const age = now - Date.parse(iso);
  if (Number.isNaN(age)) return iso;
  return age < 7 * 86_400_000 ? ago(iso, now) : localTime(iso).slice(0, 10);
}

/** `3.1 s`, `2m 05s`, `1h 02m` from start to end; undefined without an end. */
export function took(startIso: string, endIso: string | null | undefined): string | undefined {
  if (!endIso) return undefined;
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (Number.isNaN(ms)) return undefined;
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const two = (value: number) => String(value).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${two(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h ${two(Math.floor((whole % 3600) / 60))}m`;
}
