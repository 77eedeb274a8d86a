import type { Status } from '../../../src-shared/contract.js';
import { withEngine, type Command } from './command.js';

export const status: Command = {
  synopsis: 'status [--json]',
  summary: 'version, library folder, compute backend and counts',
  options: {},
  async run({ library, out }) {
    const s = (await withEngine(library, (e) => e.call('status', {}))) as Status;
    out.result(s, () => {
      const backend = s.backend ? `${s.backend.name} (${s.backend.detail})` : 'none';
      const gpu = s.backend?.gpu;
      const gpuName = gpu ? [gpu.vendor, gpu.architecture, gpu.device].filter(Boolean).join(' ') || gpu.description : '';
      const skipped = s.backend?.skipped.map((k) => `    ${k.name}: ${k.reason}`) ?? [];
      return [
        `Lookalike ${s.version}`,
        `library   ${s.library}`,
        `backend   ${backend}`,
        ...(gpu ? [`gpu       ${gpuName}${gpu.software ? ' (software adapter, runs on the CPU)' : ''}`] : []),
        ...(skipped.length ? ['  not used:', ...skipped] : []),
        `images    ${s.images} (${s.embedded} embedded)`,
        `labels    ${s.labels}`,
        `model     ${s.activeModel ? `${s.activeModel.name} (#${s.activeModel.id})` : 'pretrained (untrained head)'}`,
      ].join('\n');
    });
  },
};
