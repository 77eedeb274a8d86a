
import { withEngine, type Command } from './command.js';

export const status: Command = {
  synopsis: 'status [--json]',
  summary: 'version, library folder, compute backend and counts',
  options: {},
  async run({ library, out }) {
    const s = await withEngine(library, (e) => e.call('status', {}));
    out.result(s, () => {
      const backend = s.backend ? `${s.backend.name} (${s.backend.detail})` : 'none';
      const skipped = s.backend?.skipped.map((k) => `    ${k.name}: ${k.reason}`) ?? [];
      return [
        `Lookalike ${s.version}`,
        `library   ${s.library}`,
        `backend   ${backend}`,
        ...(skipped.length ? ['  not used:', ...skipped] : []),
        `images    ${s.images} (${s.embedded} embedded)`,
        `labels    ${s.labels}`,
        `model     ${s.activeModel ? `${s.activeModel.name} (#${s.activeModel.id})` : 'pretrained (untrained head)'}`,
        ...(s.modelProblem ? [`problem   ${s.modelProblem}`] : []),
      ].join('\n');
    });
  },
};
