// Sizes for people, one unit system everywhere (CLI and TUI): binary, as disks and `du -h`.

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
