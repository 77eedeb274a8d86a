// Media URLs are written by channel.httpMedia / channel.protocolMedia and read back by
// parseMediaTail, in the server and the lookalike:// protocol alike: one spelling.
import { describe, expect, it } from 'vitest';
import { channel, mediaKinds, parseMediaTail } from '../../../src-shared/channels.js';

describe('media URLs', () => {
  it('reads back what the channel writes, over HTTP and the protocol', () => {
    for (const kind of mediaKinds) {
      for (const id of [1, 42, Number.MAX_SAFE_INTEGER]) {
        const http = channel.httpMedia(kind, id);
        expect(http.startsWith(channel.httpMediaPrefix)).toBe(true);
        expect(parseMediaTail(http.slice(channel.httpMediaPrefix.length))).toEqual({ kind, id });
        const url = new URL(channel.protocolMedia(kind, id));
        expect([url.protocol, url.host]).toEqual([`${channel.protocolScheme}:`, channel.protocolMediaHost]);
        expect(parseMediaTail(url.pathname.slice(1))).toEqual({ kind, id });
      }
    }
  });

  it('refuses an unknown kind and an id not written plainly', () => {
    for (const tail of ['poster/1', 'thumb/0', 'thumb/007', 'thumb/-1', 'thumb/1e3', 'thumb/0x10', 'thumb/1/2', 'thumb/', 'thumb', 'thumb/99999999999999999']) {
      expect(parseMediaTail(tail), tail).toBeNull();
    }
  });
});
