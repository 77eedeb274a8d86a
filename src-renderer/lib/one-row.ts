// Whether a bar's pieces fit side by side at their natural widths. The header asks it to decide
// when the library's status (counts, model menu, backend) takes a row of its own, rather than
// cutting a model's name to squeeze beside the tabs.
import type { Attachment } from 'svelte/attachments';

/** What the pieces take side by side: their widths, a gap between each two shown, the padding. */
export function rowWidth(widths: readonly number[], gap: number, padding = 0): number {
  const shown = widths.filter((w) => w > 0);
  return shown.reduce((sum, w) => sum + w, 0) + gap * Math.max(0, shown.length - 1) + padding;
}

const px = (v: string): number => parseFloat(v) || 0;
const width = (el: Element): number => el.getBoundingClientRect().width;

/** A row's own width, or for `group` (a row inside the row) the width of its parts side by side. */
function naturalWidth(el: Element, group: string): number {
  if (!el.matches(group)) return width(el);
  return rowWidth([...el.children].map(width), px(getComputedStyle(el).columnGap));
}

/**
 * Tells `onFit`, now and whenever the bar or one of its pieces changes size, whether the bar's
 * children fit one row. The pieces must keep their natural widths on one row (`flex: none`), so
 * that the answer does not depend on the layout it chooses. `group` is measured by its children:
 * on a row of its own it spans the bar.
 */
export function watchOneRow(group: string, onFit: (fits: boolean) => void): Attachment<HTMLElement> {
  return (bar) => {
    const measure = () => {
      const style = getComputedStyle(bar);
      const needed = rowWidth(
        [...bar.children].map((el) => naturalWidth(el, group)),
        px(style.columnGap),
        px(style.paddingLeft) + px(style.paddingRight),
      );
      // Half a pixel for rounding: a row that fits exactly stays one row.
      onFit(needed <= bar.clientWidth + 0.5);
    };
    const observer = new ResizeObserver(measure);
    observer.observe(bar);
    for (const el of bar.querySelectorAll(`:scope > *, :scope > ${group} > *`)) observer.observe(el);
    return () => observer.disconnect();
  };
}
