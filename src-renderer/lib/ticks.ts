// Axis ticks for an epoch axis: whole numbers, evenly spaced, 0 and the end included.
export function integerTicks(max: number, most = 6): number[] {
  const end = Math.max(1, Math.round(max));
  const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
  const step = steps.find((s) => end / s <= most - 1) ?? Math.ceil(end / (most - 1));
  const ticks: number[] = [];
  for (let t = 0; t < end; t += step) ticks.push(t);
  // The end always shows; a tick too close before it would crowd it.
  if (ticks.length > 1 && end - ticks[ticks.length - 1] < step / 2) ticks.pop();
  ticks.push(end);
  return ticks;
}
