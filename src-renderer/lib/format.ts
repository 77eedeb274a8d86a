// How numbers and dates read in the UI: the user's own locale, long forms.

/** "29 November 2026 at 20:15" (in the user's locale). */
export function longDate(t: number): string {
  return new Date(t).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
}

/** "2.4 MB", "830 kB", "512 B". */
export function fileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toLocaleString(undefined, { maximumFractionDigits: v < 10 ? 1 : 0 })} ${units[u]}`;
}

export const fileName = (p: string): string => p.split(/[\\/]/).pop() ?? p;
