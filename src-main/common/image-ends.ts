// Whether a photo's file ends early (an incomplete copy or download). A decoder told to refuse
// such files (sharp's failOn 'truncated') says so in its own words, and libvips keeps one error
// buffer for all threads, so with several decodes failing at once its words can be lost
// ("Unknown error"): the tail of the file is checked as well.
import fs from 'node:fs/promises';

/** What libjpeg, libpng and libvips say when the bytes run out. */
export function saysEndsEarly(decoderMessage: string): boolean {
  return /premature end|truncated|unexpected end|Not enough data|end of stream/i.test(decoderMessage);
}

/** True when a JPEG lacks its end-of-image marker or a PNG its IEND chunk (other formats: false). */
export async function endsEarly(input: Buffer | string, format: string | undefined): Promise<boolean> {
  if (format !== 'jpeg' && format !== 'png') return false;
  let tail: Buffer;
  if (typeof input === 'string') {
    const file = await fs.open(input, 'r');
    try {
      const { size } = await file.stat();
      tail = Buffer.alloc(Math.min(size, 16));
      await file.read(tail, 0, tail.length, size - tail.length);
    } finally {
      await file.close();
    }
  } else {
    tail = input.subarray(Math.max(0, input.length - 16));
  }
  if (format === 'png') return !tail.includes('IEND', 0, 'latin1');
  // Some writers pad after the marker with zeros or a newline.
  let end = tail.length;
  while (end > 2 && (tail[end - 1] === 0x00 || tail[end - 1] === 0x0a || tail[end - 1] === 0x0d)) end--;
  return !(tail[end - 2] === 0xff && tail[end - 1] === 0xd9);
}
