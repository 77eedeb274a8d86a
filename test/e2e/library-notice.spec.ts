// A library folder whose library.sqlite is gone (thumbnails and a model left behind): the page
// says, in its header, that an empty catalog was started and how to get labels back.
import { expect, test } from './serve-fixture.js';

test.use({
  libraryFiles: {
    'thumbs/ab/ab01.webp': 'RIFF',
    'thumbs/ab/ab02.webp': 'RIFF',
    'thumbs/cd/cd03.webp': 'RIFF',
    'models/2/head.json': '{}',
  },
});

test('a missing library.sqlite is said in the header, with the way back in its tooltip', async ({ page, served }) => {
  await page.goto(served.url);
  const notice = page.getByTestId('library-notice');
  await expect(notice).toContainText('library.sqlite is missing from');
  await expect(notice).toHaveAttribute('title', /which holds 3 thumbnails and 1 model: started an empty catalog\. To get labels and marks back, quit Lookalike and restore library\.sqlite from a backup copy of the folder/);
  expect(served.output()).toContain('library.sqlite is missing from');
});
