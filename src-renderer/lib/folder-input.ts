// What the user typed in the folder box, made into paths the engine accepts: quotes (from a
// file manager's "copy path") stripped, one path a line, and relative paths refused with a
// reason, since the engine runs elsewhere and has no "current folder" the user could mean.
// `~` is kept: the engine expands it to its own user's home folder.

export type FolderInput = { ok: true; paths: string[] } | { ok: false; error: string };

const ABSOLUTE = /^(\/|~$|~[/\\]|[A-Za-z]:[/\\]|\\\\)/;

export function parseFolderInput(text: string): FolderInput {
  const paths = text
    .split(/\r?\n/)
    .map((line) => unquote(line.trim()).trim())
    .filter(Boolean);
  if (paths.length === 0) return { ok: false, error: 'Type the path of a folder that holds photos.' };
  const relative = paths.find((p) => !ABSOLUTE.test(p));
  if (relative !== undefined) {
    return { ok: false, error: `“${relative}” is not a full path: start it with / (or ~/ for your home folder), e.g. /home/me/Pictures.` };
  }
  return { ok: true, paths };
}

function unquote(s: string): string {
  const m = /^(['"“‘])(.*)(['"”’])$/.exec(s);
  return m ? m[2] : s;
}
