import { withEngine, type Command } from './command.js';

export const status: Command = {
  synopsis: 'status [--backend] [--json]',
  summary: 'version, library folder, counts; --backend also loads the compute backend to name it',
  options: { backend: { type: 'boolean' } },
  async run({ library, values, out }) {
    const s = await withEngine(library, (e) => e.call('status', values.backend ? { loadBackend: true } : {}));
    out.result(s, () => {
      const backend = s.backend ? `${s.backend.name} (${s.backend.detail})` : 'not loaded yet (it loads when a command needs the CNN; --backend loads it now)';
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
        ...(s.modelProblem ? [`problem   ${s.modelProblem}`] : []),
        ...s.notices.map((n) => `notice    ${n}`),
      ].join('\n');
    });
  },
};
