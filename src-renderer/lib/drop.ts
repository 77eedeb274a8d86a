// Sorts what was dropped on the window into folders to import and photos to query with.
const IMAGE = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif)$/i;

export interface Dropped {
  /** Folder paths we can import (desktop app only: a browser never reveals paths). */
  folders: string[];
  /** Image files to query with. */
  images: File[];
  /** Names of dropped folders whose path we cannot know. */
  folderNames: string[];
  /** Names of dropped files that are not photos (said so, not silently ignored). */
  others: string[];
  /** Names of dropped SVG files: drawings, which folder import skips too (not queried either). */
  drawings: string[];
}

export function droppedItems(dt: DataTransfer, pathForFile: (f: File) => string | null): Dropped {
  const out: Dropped = { folders: [], images: [], folderNames: [], others: [], drawings: [] };
  const items = Array.from(dt.items ?? []);
  items.forEach((item, i) => {
    const file = item.getAsFile() ?? dt.files[i];
    if (!file) return;
    const isDir = item.webkitGetAsEntry?.()?.isDirectory ?? false;
    if (isDir) {
      const p = pathForFile(file);
      if (p) out.folders.push(p);
      else out.folderNames.push(file.name);
    } else if (/\.svgz?$/i.test(file.name) || file.type === 'image/svg+xml') {
      out.drawings.push(file.name);
    } else if (IMAGE.test(file.name) || file.type.startsWith('image/')) {
      out.images.push(file);
    } else {
      out.others.push(file.name);
    }
  });
  return out;
}
