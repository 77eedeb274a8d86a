import { describe, expect, it } from 'vitest';
import { calls, ContractError, memberToKeep, methods, parseRequest } from '../../../src-shared/contract.js';

describe('contract validation', () => {
  it.each(methods)('%s rejects an unknown field and names it', (method) => {
    expect(() => parseRequest(method, { notAField: 1 })).toThrowError(/notAField/);
  });

  it('names the field whose type is wrong', () => {
    expect(() => parseRequest('similar', { id: 3, k: 'ten' })).toThrowError(/similar: invalid request: k: /);
    expect(() => parseRequest('importFolders', { paths: 'not-a-list' })).toThrowError(/paths: /);
    expect(() => parseRequest('listImages', { limit: -5 })).toThrowError(/limit: /);
    expect(() => parseRequest('cancelJob', {})).toThrowError(/jobId: /);
  });

  it('gives a ContractError with the bad-request code', () => {
    try {
      parseRequest('similar', { id: -1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ContractError);
      expect((err as ContractError).code).toBe('bad-request');
      expect((err as Error).message).toMatch(/id: /);
    }
  });

  it('asks for exactly one query in similar', () => {
    expect(() => parseRequest('similar', {})).toThrowError(/exactly one of id, path or upload/);
    expect(() => parseRequest('similar', { id: 1, path: '/x.jpg' })).toThrowError(/exactly one/);
    expect(parseRequest('similar', { id: 1 })).toMatchObject({ id: 1, k: 50 });
  });

  it('fills defaults and refuses unknown methods', () => {
    expect(parseRequest('listImages', {})).toEqual({ offset: 0, limit: 200 });
    expect(() => parseRequest('dropTables', {})).toThrowError(/unknown method "dropTables"/);
  });

  it('declares every call the foundation promises', () => {
    for (const m of ['status', 'importFolders', 'listImages', 'similar', 'cancelJob']) {
      expect(Object.keys(calls)).toContain(m);
    }
  });
});

describe('memberToKeep', () => {
  const group = { images: [{ path: '/p/centre.jpg' }, { path: '/p/copy.jpg' }, { path: '/p/other.jpg' }] };
  it('is the reference (first) until the user keeps one member over another, then that one', () => {
    expect(memberToKeep(group, [])).toEqual({ path: '/p/centre.jpg', reviewed: false });
    // A review of another group, or one that sets aside nothing of this group, says nothing here.
    const elsewhere = { kept: '/q/x.jpg', spare: ['/q/y.jpg'], createdAt: 1 };
    const alone = { kept: '/p/copy.jpg', spare: ['/q/z.jpg'], createdAt: 2 };
    expect(memberToKeep(group, [elsewhere, alone])).toEqual({ path: '/p/centre.jpg', reviewed: false });
    const review = { kept: '/p/copy.jpg', spare: ['/p/centre.jpg', '/p/other.jpg'], createdAt: 3 };
    expect(memberToKeep(group, [elsewhere, review])).toEqual({ path: '/p/copy.jpg', reviewed: true });
  });
});
