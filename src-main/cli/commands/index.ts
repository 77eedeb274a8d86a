import type { Command } from './command.js';
import { duplicates } from './duplicates.js';
import { exportCommand, importLabelsCommand, mapCommand } from './exchange.js';
import { importCommand } from './import.js';
import { evaluate, hardPairs, label, models, pair, train, use } from './learn.js';
import { serve } from './serve.js';
import { similar } from './similar.js';
import { status } from './status.js';

export type { Command };

export const commands: Record<string, Command> = {
  status,
  serve,
  import: importCommand,
  similar,
  duplicates,
  label,
  pair,
  train,
  eval: evaluate,
  models,
  use,
  'hard-pairs': hardPairs,
  export: exportCommand,
  'import-labels': importLabelsCommand,
  map: mapCommand,
};
