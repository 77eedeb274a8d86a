// Reads when a photo was taken from its raw EXIF block (as sharp's metadata().exif gives it):
// DateTimeOriginal, else DateTimeDigitized, else the IFD0 DateTime. A tiny TIFF-structure walk,
// tolerant of garbage: any inconsistency yields null, never an exception.

const TAG_EXIF_IFD = 0x8769;
const TAG_DATETIME = 0x0132;
const TAG_DATETIME_ORIGINAL = 0x9003;
const TAG_DATETIME_DIGITIZED = 0x9004;
const TYPE_ASCII = 2;
const TYPE_LONG = 4;

type Tags = Map<number, { type: number; count: number; valueAt: number }>;

function readIfd(view: DataView, offset: number, little: boolean): Tags {
  const tags: Tags = new Map();
  if (offset + 2 > view.byteLength) return tags;
  const entries = view.getUint16(offset, little);
  for (let i = 0; i < entries; i++) {
    const at = offset + 2 + i * 12;
    if (at + 12 > view.byteLength) break;
    const tag = view.getUint16(at, little);
    const type = view.getUint16(at + 2, little);
    const count = view.getUint32(at + 4, little);
    // Values over 4 bytes live elsewhere; the field then holds their offset.
    const size = type === TYPE_ASCII ? count : type === TYPE_LONG ? 4 * count : 0;
    const valueAt = size > 4 ? view.getUint32(at + 8, little) : at + 8;
    tags.set(tag, { type, count, valueAt });
  }
  return tags;
}

function readDate(view: DataView, tags: Tags, tag: number): string | null {
  const entry = tags.get(tag);
  if (!entry || entry.type !== TYPE_ASCII || entry.count < 19 || entry.valueAt + 19 > view.byteLength) return null;
  let text = '';
  for (let i = 0; i < 19; i++) text += String.fromCharCode(view.getUint8(entry.valueAt + i));
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m || m[1] === '0000') return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}

/** `YYYY-MM-DDTHH:MM:SS` in the camera's local time, or null. */
export function exifDateTaken(exif: Uint8Array | undefined): string | null {
  if (!exif || exif.length < 14) return null;
  // sharp hands the APP1 payload, which starts with "Exif\0\0" before the TIFF header.
  const start = exif[0] === 0x45 && exif[1] === 0x78 && exif[2] === 0x69 && exif[3] === 0x66 ? 6 : 0;
  const view = new DataView(exif.buffer, exif.byteOffset + start, exif.byteLength - start);
  if (view.byteLength < 8) return null;
  const order = view.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) return null;
  try {
    const ifd0 = readIfd(view, view.getUint32(4, little), little);
    const pointer = ifd0.get(TAG_EXIF_IFD);
    if (pointer && pointer.type === TYPE_LONG) {
      const exifIfd = readIfd(view, view.getUint32(pointer.valueAt, little), little);
      const taken = readDate(view, exifIfd, TAG_DATETIME_ORIGINAL) ?? readDate(view, exifIfd, TAG_DATETIME_DIGITIZED);
      if (taken) return taken;
    }
    return readDate(view, ifd0, TAG_DATETIME);
  } catch {
    return null;
  }
}
