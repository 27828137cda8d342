// How the files list shows a file: its size in binary units (the server
// states its limit in MiB) and the start of its sha256.

export const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
export type SizeUnit = (typeof SIZE_UNITS)[number];

/**
 * `bytes` in the largest unit that keeps the amount at least 1 and, rounded
 * to one decimal, below 1024 (1,048,575 bytes is "1 MiB", not "1,024 KiB");
 * whole bytes have no decimals. The amount is written for `language`.
 */
export function humanSize(bytes: number, language: string): { amount: string; unit: SizeUnit } {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (unit < SIZE_UNITS.length - 1 && (unit === 0 ? value >= 1024 : Math.round(value * 10) / 10 >= 1024)) {
    value /= 1024;
    unit += 1;
  }
  const amount = value.toLocaleString(language, { maximumFractionDigits: unit === 0 ? 0 : 1 });
  return { amount, unit: SIZE_UNITS[unit]! };
}

/** How much of a sha256 the list shows (the whole of it is in the title, and copied). */
export const SHA_SHOWN = 12;

/** The start of a sha256, as the list shows it. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, SHA_SHOWN);
}
