import { mixedData } from './duplicates-mixed-data.js';
import { pixelMatch, pixelViews } from '../src-main/search/pixel-match.js';
import { aspectOf, rgbOf } from '../src-main/engine/duplicate-check.js';
const data = await mixedData();
const f = data.files;
for (const src of ['photo000', 'photo002', 'icon001', 'page001', 'fashion004']) {
  const o = f.findIndex((x) => x.source === src && x.edit === 'original');
  const c = f.findIndex((x) => x.source === src && x.edit === 'crop');
  const v = async (i: number) => pixelViews(await rgbOf(data.thumbs[i]), await aspectOf(data.thumbs[i]));
  const [vo, vc] = [await v(o), await v(c)];
  const full = pixelMatch(vo, vc);
  // only the true window as the original's crop
  const all = vo.crops;
  let best = -1;
  for (let i = 1; i < all.length; i++) {
    vo.crops = [all[0], all[i]];
    const m = pixelMatch(vo, vc);
    if (m.brightness > best) best = m.brightness;
  }
  vo.crops = all;
  console.log(src, 'search', full.brightness.toFixed(3), 'best over single crops', best.toFixed(3));
}
