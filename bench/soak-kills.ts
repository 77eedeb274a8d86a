// The kills phase of bench/soak.ts: forwarded CLI commands (`lookalike similar`, `lookalike
// import`, each a real process talking to `lookalike serve`) run without pause while serve and
// its engine child are killed with SIGKILL at random moments, for SOAK_SECONDS (default 600).
// Every answer is checked against the answers of a clean run on the same, unchanging library;
// a command that fails must say why (a clear message, non-zero exit): one that hangs, exits
// with no message, or prints a stack is "lost". Afterwards the library must be whole.
import { execFile, type ChildProcess } from 'node:child_process';
import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface KillsOptions {
  repo: string;
  library: string;
  /** A folder already imported into `library`: imports of it change nothing the answers depend on. */
  folder: string;
  seconds: number;
  startServe: (library: string) => Promise<{ proc: ChildProcess }>;
  childPids: (pid: number) => number[];
}

const K = 5;

export async function soakKills(o: KillsOptions): Promise<void> {
  const bin = path.join(o.repo, 'bin/lookalike.js');
  const cli = (args: string[], timeoutMs: number) =>
    new Promise<Outcome>((resolve) => {
      execFile(process.execPath, [bin, '--library', o.library, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr, timedOut: !!e?.killed });
      });
    });
  const topIds = (out: Outcome): number[] | null => {
    try {
      const [r] = JSON.parse(out.stdout) as { hits: { id: number }[] }[];
      return r.hits.map((h) => h.id);
    } catch {
      return null;
    }
  };

  let serve = (await o.startServe(o.library)).proc;
  const ids = [1, 5, 9, 13, 17, 21];
  const reference = new Map<number, string>();
  for (const id of ids) {
    const got = topIds(await cli(['similar', '--id', String(id), '-k', String(K), '--json'], 120_000));
    if (!got) throw new Error(`the clean run gave no answer for #${id}`);
    reference.set(id, got.join(','));
  }

  const counts = { similar: 0, imports: 0, right: 0, wrong: 0, refusedClearly: 0, lost: 0, serveKills: 0, engineKills: 0, restarts: 0 };
  const lostSamples: string[] = [];
  const refusals = new Map<string, number>();
  const judge = (what: string, out: Outcome, check: (out: Outcome) => boolean) => {
    if (out.code === 0) {
      let right = false;
      try {
        right = check(out);
      } catch {
        // output that does not parse is a wrong answer
      }
      if (right) counts.right++;
      else {
        counts.wrong++;
        lostSamples.push(`${what}: wrong answer ${out.stdout.slice(0, 200)}`);
      }
      return;
    }
    const message = out.stderr.trim();
    // A bare socket error ("connect ECONNRESET …") names no cause and no next step: not clear.
    if (!out.timedOut && message !== '' && !/\n\s+at /.test(message) && !/\bE[A-Z]{4,}\b|socket hang up/.test(message)) {
      counts.refusedClearly++;
      const said = `${what.split(' ')[0]}: ${message.split('\n').pop()!.replace(/\d+/g, 'N').slice(0, 160)}`;
      refusals.set(said, (refusals.get(said) ?? 0) + 1);
    } else {
      counts.lost++;
      lostSamples.push(`${what}: ${out.timedOut ? 'hung' : `exit ${out.code}`} ${message.slice(0, 200) || '(no message)'}`);
    }
  };

  const deadline = Date.now() + o.seconds * 1000;
  let stopping = false;
  const queries = (async () => {
    for (let i = 0; Date.now() < deadline; i++) {
      const id = ids[i % ids.length];
      counts.similar++;
      judge(`similar #${id}`, await cli(['similar', '--id', String(id), '-k', String(K), '--json'], 120_000), (out) => topIds(out)?.join(',') === reference.get(id));
    }
  })();
  const photos = readdirSync(o.folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  const imports = (async () => {
    while (Date.now() < deadline) {
      // New modification times make the scan read and hash every photo again (same content).
      const now = new Date();
      for (const p of photos) utimesSync(p, now, now);
      counts.imports++;
      judge('import', await cli(['import', o.folder, '--json'], 240_000), (out) => {
        const r = JSON.parse(out.stdout) as { added: number; unchanged: number; removed: number; failed: unknown[] };
        return r.added + r.unchanged === photos.length && r.removed === 0 && r.failed.length === 0;
      });
    }
  })();
  const killer = (async () => {
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5000 + Math.random() * 10_000));
      if (Date.now() >= deadline) break;
      const engines = o.childPids(serve.pid!);
      if (Math.random() < 0.5 && engines.length > 0) {
        counts.engineKills++;
        for (const p of engines) process.kill(p, 'SIGKILL');
        continue; // serve starts a new engine child by itself
      }
      counts.serveKills++;
      serve.kill('SIGKILL');
      await new Promise((r) => serve.once('exit', r));
      // Its engine child leaves when its parent is gone; a CLI command may hold the library
      // meanwhile (it ran the call itself): serve is started again until it gets it.
      for (;;) {
        try {
          serve = (await o.startServe(o.library)).proc;
          counts.restarts++;
          break;
        } catch {
          if (stopping) return;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  })();
  await Promise.all([queries, imports, killer]);
  stopping = true;

  // The library afterwards: every photo embedded once, and every answer as the clean run gave it.
  // The last kill may have left serve restarting: ask until it answers (a refusal says why).
  let status = await cli(['status', '--json'], 120_000);
  for (let tries = 1; status.code !== 0 && tries < 30; tries++) {
    await new Promise((r) => setTimeout(r, 2000));
    status = await cli(['status', '--json'], 120_000);
  }
  if (status.code !== 0) console.log(`status after the run did not answer: ${status.stderr.trim()}`);
  const s = JSON.parse(status.stdout || '{}') as { images?: number; embedded?: number };
  let after = 0;
  for (const id of ids) if (topIds(await cli(['similar', '--id', String(id), '-k', String(K), '--json'], 120_000))?.join(',') === reference.get(id)) after++;
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));

  console.log(`kills phase, ${o.seconds} s: ${counts.similar} forwarded similar + ${counts.imports} forwarded imports; ` +
    `${counts.engineKills} engine kills, ${counts.serveKills} serve kills (${counts.restarts} restarts)`);
  console.log(`answers: ${counts.right} right, ${counts.wrong} wrong, ${counts.refusedClearly} refused with a message, ${counts.lost} lost (hung, silent, a stack or a bare socket error)`);
  for (const l of lostSamples.slice(0, 8)) console.log(`  ${l}`);
  for (const [said, n] of refusals) console.log(`  refused ${n}×, ${said}`);
  console.log(`afterwards: ${s.images} photos, ${s.embedded} embedded; ${after} of ${ids.length} answers as in the clean run`);
}
