// The app's top-level views, in the order the navigation shows them.
export type View = 'library' | 'map' | 'duplicates' | 'review' | 'train' | 'export';

export const views: readonly { id: View; title: string; hint: string }[] = [
  { id: 'library', title: 'Library', hint: 'All photos, labels and look-alikes' },
  { id: 'map', title: 'Map', hint: 'Every photo on one 2-D map: see clusters, lasso and label' },
  { id: 'duplicates', title: 'Duplicates', hint: 'Near-identical copies' },
  { id: 'review', title: 'Review pairs', hint: 'Tell the app which pairs are alike' },
  { id: 'train', title: 'Train', hint: 'Teach the embedding your labels and marks' },
  { id: 'export', title: 'Export', hint: 'Labels, embeddings, a folder per label, the trained model; import labels' },
];
