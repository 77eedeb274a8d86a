// CSV as RFC 4180 writes it: fields with commas, quotes or line breaks are quoted, quotes
// doubled. The reader accepts the same, CRLF or LF line ends, and a UTF-8 byte-order mark.

export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/** Rows of fields, each with the 1-based line it starts on; blank lines are skipped. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let touched = false;
  const endRow = () => {
    fields.push(field);
    if (touched || fields.length > 1 || field !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    touched = false;
  };
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
      touched = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length > 0 || touched) endRow();
  return rows;
}
