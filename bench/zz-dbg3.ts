import sharp from 'sharp';
import { mixedData } from './duplicates-mixed-data.js';
import { pixelMatch, pixelViews } from '../src-main/search/pixel-match.js';
import { aspectOf, rgbOf } from '../src-main/engine/duplicate-check.js';
const data = await mixedData();
const f = data.files;
for (const src of ['photo000', 'photo002', 'icon001']) {
  const o = f.findIndex((x) => x.source === src && x.edit === 'original');
  const c = f.findIndex((x) => x.source === src && x.edit === 'crop');
  const v = async (b: Buffer) => pixelViews(await rgbOf(b), await aspectOf(b));
  const m = await sharp(data.thumbs[o]).metadata();
  const mc = await sharp(data.thumbs[c]).metadata();
  const mine = await sharp(data.thumbs[o]).extract({ left: Math.round(m.width! * 0.05), top: Math.round(m.height! * 0.2), width: Math.round(m.width! * 0.75), height: Math.round(m.height! * 0.75) }).png().toBuffer();
  const mo = await sharp(f[o].file).metadata(); const mcc = await sharp(f[c].file).metadata();
  console.log(src, `orig ${mo.width}x${mo.height} crop ${mcc.width}x${mcc.height} thumbs ${m.width}x${m.height} ${mc.width}x${mc.height}`,
    'mine~crop', pixelMatch(await v(mine), await v(data.thumbs[c])).brightness.toFixed(3), 'orig~mine', pixelMatch(await v(data.thumbs[o]), await v(mine)).brightness.toFixed(3));
}
