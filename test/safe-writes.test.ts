/**
 * Nothing lost, nothing overwritten (SPEC §11): each guarantee through the CLI — in-process where exit codes and
 * files are the point, a real process where signals, locks between processes and file descriptors are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/cli.js';
import { memTerminal } from './terminal.js';
import { BIN, runCli, tempDir, writeFiles } from './helpers.js';

const RULES = `contacts: { key: Email }
stages:
  - { id: suspect }
  - { id: lead, when: { field: Score, gte: 10 } }
  - { id: customer, when: { field: Score, gte: 50 } }
`;
const CONTACTS = 'Email,Score\na@x.com,1\nb@x.com,20\nc@x.com,70\n';

function folder(): string {
  const dir = tempDir();
  writeFiles(dir, { 'c.csv': CONTACTS, 'r.yaml': RULES });
  return dir;
}

/**
 * In-process, in `dir`; `@name` is `dir/name`, as the inputs are read from the process's folder (outputs are
 * resolved in `dir`).
 */
async function cli(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) {
  const term = memTerminal(dir, { env, stdin });
  const code = await main(
    args.map((a) => (a.startsWith('@') ? join(dir, a.slice(1)) : a)),
    term,
  );
  return { code, stdout: term.stdoutText(), stderr: term.stderrText() };
}

const ls = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
const visible = (dir: string): string[] => ls(dir).filter((f) => !f.startsWith('.'));

/** Starts a real run that stops after the first rename of its commit; resolves once it is there. */
async function pausedRun(dir: string, args: string[]): Promise<{ child: ChildProcess; closed: Promise<number | null>; stderr: () => string; pause: string }> {
  const pause = join(dir, `pause-${Math.random().toString(36).slice(2)}`);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, FUNNEL_TEST_COMMIT_PAUSE: pause } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const closed = new Promise<number | null>((res) => child.on('close', (code, signal) => res(code ?? (signal === 'SIGKILL' ? 137 : null))));
  const until = Date.now() + 10_000;
  while (!existsSync(pause)) {
    if (Date.now() > until) throw new Error(`the run never reached its commit: ${err}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, closed, stderr: () => err, pause };
}

describe('an output never replaces an input', () => {
  // Relative paths are the point here: in-process, they are read from `dir`, the Terminal's folder.
  const refused = async (dir: string, args: string[], message: RegExp) => {
    const before = new Map(ls(dir).filter((f) => statSync(join(dir, f)).isFile()).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const all = ls(dir);
    const r = await cli(dir, args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    // Nothing touched: every file as it was, no lock, no temporary file, no folder created.
    expect(ls(dir)).toEqual(all);
    for (const [f, text] of before) expect(readFileSync(join(dir, f), 'utf8')).toBe(text);
  };

  it('by real path: through ./, .., a symlink; and by inode: a hard link', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'sub'));
    symlinkSync('c.csv', join(dir, 'link.csv'));
    linkSync(join(dir, 'c.csv'), join(dir, 'hard.csv'));
    await refused(dir, ['classify', 'c.csv', '-r', 'r.yaml', '-o', './c.csv'], /the output \.\/c\.csv is the input c\.csv — write the output elsewhere; funnel never overwrites an input/);
    await refused(dir, ['classify', 'c.csv', '-r', 'r.yaml', '-o', 'sub/../c.csv'], /the output sub\/\.\.\/c\.csv is the input c\.csv/);
    await refused(dir, ['classify', 'c.csv', '-r', 'r.yaml', '-o', 'link.csv'], /the output link\.csv is the input c\.csv/);
    await refused(dir, ['classify', 'link.csv', '-r', 'r.yaml', '-o', 'c.csv'], /the output c\.csv is the input link\.csv/);
    await refused(dir, ['classify', 'c.csv', '-r', 'r.yaml', '-o', 'hard.csv'], /the output hard\.csv is the input c\.csv \(the same file under another name\)/);
  });

  it('--summary-file, the rules, --previous, an --out-dir file, and two outputs on one file', async () => {
    const dir = folder();
    writeFiles(dir, { 'funnel.yaml': RULES, 'prev.csv': 'Email,funnel_stage\na@x.com,lead\n' });
    await refused(dir, ['classify', 'c.csv', '--summary-file', 'c.csv'], /the output c\.csv is the input c\.csv/);
    // The rules found as ./funnel.yaml, not named: still an input.
    await refused(dir, ['classify', 'c.csv', '--summary-file', './funnel.yaml'], /the output \.\/funnel\.yaml is the rules file/);
    await refused(dir, ['classify', 'c.csv', '-o', 'prev.csv', '--previous', 'prev.csv'], /the output prev\.csv is the --previous file prev\.csv/);
    mkdirSync(join(dir, 'out'));
    writeFiles(dir, { 'out/contacts.csv': CONTACTS });
    await refused(dir, ['classify', 'out/contacts.csv', '--out-dir', 'out'], /the output out\/contacts\.csv is the input out\/contacts\.csv/);
    await refused(dir, ['classify', 'c.csv', '-o', 'x.csv', '--summary-file', 'x.csv'], /--summary-file x\.csv and -o x\.csv are the same file — give each output its own file/);
  });

  it('diff --moved and sql -o', async () => {
    const dir = folder();
    writeFiles(dir, { 'before.csv': 'Email,funnel_stage\na@x.com,suspect\n', 'after.csv': 'Email,funnel_stage\na@x.com,lead\n' });
    await refused(dir, ['diff', 'before.csv', 'after.csv', '--moved', './after.csv'], /the output \.\/after\.csv is the input after\.csv/);
    await refused(dir, ['sql', '-r', 'r.yaml', '-o', 'r.yaml'], /the output r\.yaml is the rules file r\.yaml/);
    // Written when it is not an input, through a symlink kept as it is.
    writeFiles(dir, { 'real.sql': 'old' });
    symlinkSync('real.sql', join(dir, 'q.sql'));
    expect((await cli(dir, ['sql', '-r', '@r.yaml', '-o', 'q.sql'])).code).toBe(0);
    expect(lstatSync(join(dir, 'q.sql')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.sql'), 'utf8')).toMatch(/^(--|WITH|SELECT)/m);
  });

  it('standard input redirected from the output file, and /dev/stdout redirected into an input', () => {
    const dir = folder();
    const stdin = openSync(join(dir, 'c.csv'), 'r');
    const a = spawnSync(process.execPath, [BIN, 'classify', '-', '-r', 'r.yaml', '-o', 'c.csv'], { cwd: dir, stdio: [stdin, 'pipe', 'pipe'], encoding: 'utf8' });
    closeSync(stdin);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('the output c.csv is standard input (redirected from it)');
    // `>> c.csv`: the shell's descriptor for stdout is the input itself.
    const out = openSync(join(dir, 'c.csv'), 'a');
    const b = spawnSync(process.execPath, [BIN, 'classify', 'c.csv', '-r', 'r.yaml', '-o', '/dev/stdout', '--summary', 'none'], { cwd: dir, stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
    closeSync(out);
    expect(b.status).toBe(2);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe(CONTACTS);
    // `-o - >> c.csv`: the rows would be appended to the file being read.
    const out2 = openSync(join(dir, 'c.csv'), 'a');
    const c = spawnSync(process.execPath, [BIN, 'classify', 'c.csv', '-r', 'r.yaml', '-o', '-', '--summary', 'none'], { cwd: dir, stdio: ['ignore', out2, 'pipe'], encoding: 'utf8' });
    closeSync(out2);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('the output - is the input c.csv (standard output is redirected into it)');
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe(CONTACTS);
  });
});

describe('devices and pipes are written in place', () => {
  it('-o /dev/stdout > file fills the file through the descriptor; /dev/stdout stays a symlink', () => {
    const dir = folder();
    const before = lstatSync('/dev/stdout');
    const out = openSync(join(dir, 'rows.csv'), 'w');
    const r = spawnSync(process.execPath, [BIN, 'classify', 'c.csv', '-r', 'r.yaml', '-o', '/dev/stdout', '--summary', 'none'], { cwd: dir, stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
    closeSync(out);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'rows.csv'), 'utf8').split('\n')).toHaveLength(5);
    const after = lstatSync('/dev/stdout');
    expect(after.isSymbolicLink()).toBe(before.isSymbolicLink());
    expect(after.ino).toBe(before.ino);
    expect(ls('/dev').some((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toBe(false);
  });

  it('-o /dev/null and --summary-file /dev/null together', async () => {
    const dir = folder();
    const r = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '-o', '/dev/null', '--summary-file', '/dev/null']);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('outputs that cannot be written: exit 1, checked before anything is replaced', () => {
  it('an unwritable --summary-file fails before the annotated files are replaced', async () => {
    const dir = folder();
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out'])).code).toBe(0);
    const before = ls(join(dir, 'out')).map((f) => [f, statSync(join(dir, 'out', f)).ino]);
    writeFiles(dir, { 'c.csv': 'Email,Score\nz@x.com,99\n' });
    const r = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--summary-file', 'missing/s.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^funnel: error: missing\/s\.json: cannot write: the folder .*missing does not exist — create it, or write elsewhere$/m);
    expect(ls(join(dir, 'out')).map((f) => [f, statSync(join(dir, 'out', f)).ino])).toEqual(before);
  });

  it('missing folders, a folder in the way, /proc and /sys: exit 1 at once, no endless loop', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'out', 'contacts.csv'), { recursive: true });
    for (const [args, message] of [
      [['-o', 'nope/all.csv'], /nope\/all\.csv: cannot write: the folder/],
      [['--out-dir', 'out'], /out\/contacts\.csv: cannot write: it is a folder/],
      [['--out-dir', '/proc/funnel-test/out'], /\/proc\/funnel-test\/out: cannot create the output folder \(ENOENT\)/],
      [['-o', '/proc/funnel-test.csv'], /\/proc\/funnel-test\.csv: cannot write/],
      [['--out-dir', '/sys/funnel-test'], /\/sys\/funnel-test: cannot create the output folder/],
    ] as [string[], RegExp][]) {
      const started = Date.now();
      const r = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it('--summary-file - is standard output, the table then on stderr', async () => {
    const dir = folder();
    const r = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--summary-file', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).total).toBe(3);
    expect(r.stderr).toContain('conversion');
    expect(ls(dir)).not.toContain('-');
    const both = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '-o', '-', '--summary-file', '-']);
    expect(both.code).toBe(2);
  });
});

describe('a folder describes exactly one run', () => {
  it('the manifest removes files of earlier runs (stage renamed, --format changed), never files funnel did not write', async () => {
    const dir = folder();
    const out = join(dir, 'out');
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--format', 'json'])).code).toBe(0);
    writeFiles(out, { 'notes.txt': 'mine' });
    expect(visible(out)).toEqual(['contacts.json', 'customer.json', 'lead.json', 'notes.txt', 'suspect.json']);
    writeFiles(dir, { 'r2.yaml': RULES.replace('id: lead', 'id: prospect') });
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r2.yaml', '--out-dir', 'out'])).code).toBe(0);
    expect(visible(out)).toEqual(['contacts.csv', 'customer.csv', 'notes.txt', 'prospect.csv', 'suspect.csv']);
    const manifest = JSON.parse(readFileSync(join(out, '.funnel-manifest.json'), 'utf8'));
    expect(manifest.complete).toBe(true);
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual(['contacts.csv', 'customer.csv', 'prospect.csv', 'suspect.csv']);
    // A file funnel wrote but a user changed since is left, with a warning.
    writeFiles(out, { 'prospect.csv': 'edited by hand\n' });
    writeFiles(dir, { 'c.csv': 'Email,Score\na@x.com,1\n' });
    const r = await cli(dir, ['classify', '@c.csv', '-r', '@r2.yaml', '--out-dir', 'out']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('out/prospect.csv: left in place: changed since funnel wrote it');
    expect(visible(out)).toEqual(['contacts.csv', 'notes.txt', 'prospect.csv', 'suspect.csv']);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('two overlapping runs: the second exits 1 at once, or waits with --wait and then writes', async () => {
    const dir = folder();
    const first = await pausedRun(dir, ['classify', 'c.csv', '-r', 'r.yaml', '--out-dir', 'out', '--format', 'json']);
    const pid = first.child.pid!;
    expect(JSON.parse(readFileSync(join(dir, 'out', '.funnel.lock'), 'utf8'))).toMatchObject({ tool: 'funnel', pid });
    const busy = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`funnel: error: out: another funnel run (pid ${pid}) is writing here`);
    // The same for one -o file, whose lock is .all.csv.lock beside it.
    const single = await pausedRun(dir, ['classify', 'c.csv', '-r', 'r.yaml', '-o', 'all.csv', '--summary-file', 's.json']);
    expect(existsSync(join(dir, '.all.csv.lock'))).toBe(true);
    const busy1 = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '-o', 'all.csv']);
    expect(busy1.code).toBe(1);
    expect(busy1.stderr).toContain(`all.csv: another funnel run (pid ${single.child.pid}) is writing here`);
    rmSync(single.pause);
    expect(await single.closed).toBe(0);
    // A waiting run queues behind the first and writes after it.
    const waiting = cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--wait', '20s']);
    await new Promise((r) => setTimeout(r, 300));
    rmSync(first.pause);
    expect(await first.closed).toBe(0);
    const w = await waiting;
    expect(w.code, w.stderr).toBe(0);
    expect(visible(join(dir, 'out'))).toEqual(['contacts.csv', 'customer.csv', 'lead.csv', 'suspect.csv']);
    expect(ls(dir).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('a stale lock of a dead process is taken over; a live holder is named', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'out'));
    const dead = spawnSync(process.execPath, ['-e', 'process.pid'], {}).pid!;
    const host = (await import('node:os')).hostname();
    writeFiles(dir, { 'out/.funnel.lock': JSON.stringify({ tool: 'funnel', pid: dead, host, token: 'x' }) });
    const r = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out']);
    expect(r.code, r.stderr).toBe(0);
    expect(ls(join(dir, 'out'))).not.toContain('.funnel.lock');
    writeFiles(dir, { 'out/.funnel.lock': JSON.stringify({ tool: 'funnel', pid: process.ppid, host, token: 'y' }) });
    const busy = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--wait', '200ms']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`another funnel run (pid ${process.ppid}) is writing here, still after --wait`);
  });

  it('history -o, whatif --moved and report -o wait with --wait for a file another run holds, then exit 1', async () => {
    const dir = folder();
    const host = (await import('node:os')).hostname();
    writeFiles(dir, { 'a.csv': 'Email,Activity Type,Activity Date\na@x.com,Page View,2026-11-01\n', 'r2.yaml': RULES.replace('gte: 10', 'gte: 15'), 's.json': '' });
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--as-of', '2026-11-15', '-o', 'all.csv', '--summary-file', 's.json'])).code).toBe(0);
    const runs: [string, string[]][] = [
      ['h.json', ['history', '@c.csv', '-a', '@a.csv', '-r', '@r.yaml', '--as-of', '2026-11-15', '--format', 'json', '-o', 'h.json']],
      ['moved.csv', ['whatif', '@r.yaml', '@r2.yaml', '@c.csv', '-a', '@a.csv', '--as-of', '2026-11-15', '--moved', 'moved.csv']],
      ['page.html', ['report', '@s.json', '-o', 'page.html']],
    ];
    for (const [file, args] of runs) {
      writeFiles(dir, { [`.${file}.lock`]: JSON.stringify({ tool: 'funnel', pid: process.ppid, host, token: 'z' }) });
      const t0 = Date.now();
      const busy = await cli(dir, [...args, '--wait', '300ms']);
      expect(busy.code, busy.stderr).toBe(1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(busy.stderr).toContain(`${file}: another funnel run (pid ${process.ppid}) is writing here, still after --wait`);
      expect(existsSync(join(dir, file))).toBe(false);
      rmSync(join(dir, `.${file}.lock`));
      const free = await cli(dir, [...args, '--wait', '300ms']);
      expect(free.code, free.stderr).toBe(0);
      expect(existsSync(join(dir, file))).toBe(true);
    }
  });

  it('SIGTERM during the renames: the commit completes, then the run ends (143)', async () => {
    const dir = folder();
    const out = join(dir, 'out');
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--format', 'json'])).code).toBe(0);
    const run = await pausedRun(dir, ['classify', 'c.csv', '-r', 'r.yaml', '--out-dir', 'out']);
    // Mid-commit: one file of the new run in place, the others still temporary.
    expect(visible(out)).toEqual(['contacts.csv', 'contacts.json', 'customer.json', 'lead.json', 'suspect.json']);
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    rmSync(run.pause);
    expect(await run.closed).toBe(143);
    expect(ls(out)).toEqual(['.funnel-manifest.json', 'contacts.csv', 'customer.csv', 'lead.csv', 'suspect.csv']);
    expect(JSON.parse(readFileSync(join(out, '.funnel-manifest.json'), 'utf8')).complete).toBe(true);
  });

  it("a rename that fails undoes those before it: the folder is the previous run's again (exit 1)", async () => {
    const dir = folder();
    const out = join(dir, 'out');
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out'])).code).toBe(0);
    const before = ls(out).map((f) => [f, statSync(join(out, f)).ino, readFileSync(join(out, f), 'utf8')]);
    writeFiles(dir, { 'c.csv': 'Email,Score\nz@x.com,99\ny@x.com,5\n' });
    const run = await pausedRun(dir, ['classify', 'c.csv', '-r', 'r.yaml', '--out-dir', 'out']);
    // Mid-commit, the temporary file of a file still to be renamed disappears (a hard-linked one is a kept file).
    const pending = ls(out).filter((f) => f.endsWith('.tmp') && !f.startsWith('.contacts.') && !f.includes('funnel-manifest') && statSync(join(out, f)).nlink === 1);
    expect(pending.length).toBeGreaterThan(0);
    for (const f of pending) rmSync(join(out, f));
    rmSync(run.pause);
    expect(await run.closed).toBe(1);
    expect(run.stderr()).toMatch(/out\/\w+\.csv: cannot write \(ENOENT/);
    expect(ls(out).map((f) => [f, statSync(join(out, f)).ino, readFileSync(join(out, f), 'utf8')])).toEqual(before);
  });

  it('SIGKILL during the renames: the next run removes the leftovers and the files of both earlier runs', async () => {
    const dir = folder();
    const out = join(dir, 'out');
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out', '--format', 'json'])).code).toBe(0);
    const run = await pausedRun(dir, ['classify', 'c.csv', '-r', 'r.yaml', '--out-dir', 'out', '--format', 'ndjson']);
    run.child.kill('SIGKILL');
    expect(await run.closed).toBe(137);
    rmSync(run.pause);
    const left = ls(out);
    expect(left).toContain('.funnel.lock');
    expect(left.filter((f) => f.endsWith('.tmp')).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, '.funnel-manifest.json'), 'utf8')).complete).toBe(false);
    const next = await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', 'out']);
    expect(next.code, next.stderr).toBe(0);
    expect(ls(out)).toEqual(['.funnel-manifest.json', 'contacts.csv', 'customer.csv', 'lead.csv', 'suspect.csv']);
  });
});

describe('temporary files and copies of standard input never outlive the run', () => {
  it('SIGTERM while reading standard input: no copy left', async () => {
    const dir = folder();
    const child = spawn(process.execPath, [BIN, 'classify', '-', '-r', 'r.yaml', '--out-dir', 'out'], { cwd: dir });
    child.stdout.resume();
    child.stderr.resume();
    const closed = new Promise((res) => child.on('close', (code, signal) => res(code ?? signal)));
    child.stdin.on('error', () => {});
    child.stdin.write('Email,Score\n');
    const until = Date.now() + 10_000;
    while (!ls(join(dir, 'out')).some((f) => f.startsWith('.stdin.'))) {
      if (Date.now() > until) throw new Error('no copy of stdin');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    expect(ls(join(dir, 'out'))).toEqual([]);
  });

  it('a run that fails (exit 3) leaves no temporary file, lock or folder', async () => {
    const dir = folder();
    writeFiles(dir, { 'dup.csv': 'Email,Score\na@x.com,1\na@x.com,2\n' });
    const r = await cli(dir, ['classify', '@dup.csv', '-r', '@r.yaml', '--strict', '--out-dir', 'out', '--summary-file', 's.json']);
    expect(r.code).toBe(3);
    expect(ls(dir)).toEqual(['c.csv', 'dup.csv', 'r.yaml']);
  });

  it('a replaced file keeps its mode: a private export stays private', async () => {
    const dir = folder();
    writeFiles(dir, { 'all.csv': '' });
    chmodSync(join(dir, 'all.csv'), 0o600);
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '-o', 'all.csv'])).code).toBe(0);
    expect(statSync(join(dir, 'all.csv')).mode & 0o777).toBe(0o600);
  });
});

describe('a full file system (a small tmpfs)', () => {
  const mnt = tempDir();
  const mount = () => spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
  // Probed now (skipIf needs the answer), mounted for the tests only: a filtered run (-t) leaves no mount behind.
  const mounted = (() => {
    const r = mount();
    if (r.status !== 0) console.log(`skipped: cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim() || 'not root'})`);
    else spawnSync('umount', [mnt]);
    return r.status === 0;
  })();
  beforeAll(() => {
    if (mounted) mount();
  });
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
  });
  const big = `Email,Score,Notes\n${Array.from({ length: 8000 }, (_, i) => `u${i}@x.com,${i % 90},some words to fill the disk`).join('\n')}\n`;

  it.skipIf(!mounted)('exit 1 naming the file; the earlier run stays whole, nothing temporary left', async () => {
    const dir = folder();
    writeFiles(dir, { 'big.csv': big });
    const out = join(mnt, 'out');
    expect((await cli(dir, ['classify', '@c.csv', '-r', '@r.yaml', '--out-dir', out])).code).toBe(0);
    const before = ls(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]);
    const r = await cli(dir, ['classify', '@big.csv', '-r', '@r.yaml', '--out-dir', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^funnel: error: .*out\/\w+\.csv: cannot write \(ENOSPC: no space left on device\) — free some disk space, or write elsewhere$/m);
    expect(ls(out).map((f) => [f, readFileSync(join(out, f), 'utf8')])).toEqual(before);
  });

  it.skipIf(!mounted)('a copy of standard input on a full disk: exit 1, no copy left', async () => {
    const dir = folder();
    const out = join(mnt, 'in');
    const r = await cli(dir, ['classify', '-', '-r', '@r.yaml', '--out-dir', out], {}, big + big);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a copy of standard input\): cannot write \(ENOSPC/);
    expect(ls(out)).toEqual([]);
    // With rows on stdout the copy lives in $TMPDIR/funnel-<uid>/: the same there (a process: TMPDIR is its own).
    const t = await runCli(['classify', '-', '-r', join(dir, 'r.yaml'), '-o', '-'], { cwd: dir, input: big + big, env: { TMPDIR: mnt } });
    expect(t.code).toBe(1);
    expect(ls(join(mnt, `funnel-${process.getuid!()}`))).toEqual([]);
  });

  it.skipIf(!mounted)('a JSON reader\'s copy of standard input on a full disk: exit 1, one line, no copy left', async () => {
    const dir = folder();
    const ndjson = Array.from({ length: 12_000 }, (_, i) => `{"Email":"u${i}@x.com","funnel_stage":"lead","Notes":"some words to fill the disk"}\n`).join('');
    const r = await runCli(['summary', '-', '--format', 'json'], { cwd: dir, input: ndjson, env: { TMPDIR: mnt } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^funnel: error: .*\.stdin\.json\.[^:]*: cannot keep a copy of standard input \(ENOSPC\) — free some disk space, or set TMPDIR to a larger folder$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(ls(join(mnt, `funnel-${process.getuid!()}`))).toEqual([]);
  });
});

describe('a closed standard error', () => {
  it('ends quietly, the files written', () => {
    const dir = folder();
    // `true` has exited long before node writes its first note: every write to stderr meets EPIPE.
    const r = spawnSync('bash', ['-c', `node ${BIN} --progress classify c.csv -r r.yaml -o all.csv 2>&1 >/dev/null | true; echo "exit \${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('exit 0');
    expect(r.stderr).toBe('');
    expect(readFileSync(join(dir, 'all.csv'), 'utf8').split('\n')).toHaveLength(5);
    const head = spawnSync('bash', ['-c', `node ${BIN} classify c.csv -r r.yaml --out-dir out --progress 2>&1 | head -2 >/dev/null; echo "exit \${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(head.stdout.trim()).toBe('exit 0');
    expect(head.stderr).toBe('');
  });
});

describe('copies of standard input kept by readers (JSON, history) never outlive the run', () => {
  const row = (i: number): string => `{"Email":"u${i}@x.com","funnel_stage":"lead"}\n`;
  const copies = (tmp: string): string[] => ls(join(tmp, `funnel-${process.getuid?.() ?? 'user'}`));
  /** A real `funnel summary -` fed NDJSON, stopped (by `signal`) once its copy of stdin exists. */
  const stopped = async (tmp: string, signal: NodeJS.Signals) => {
    const child = spawn(process.execPath, [BIN, 'summary', '-'], { env: { PATH: process.env.PATH ?? '', HOME: tmp, TMPDIR: tmp } });
    child.stdout.resume();
    child.stderr.resume();
    child.stdin.on('error', () => {});
    const closed = new Promise((res) => child.on('close', (code, sig) => res(code ?? sig)));
    // Enough to get past the sniffing and into the copy; the pipe stays open.
    child.stdin.write(Array.from({ length: 40_000 }, (_, i) => row(i)).join(''));
    const until = Date.now() + 10_000;
    while (!copies(tmp).some((f) => f.startsWith('.stdin.json.'))) {
      if (Date.now() > until) throw new Error('no copy of stdin');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill(signal);
    return closed;
  };

  it('SIGTERM: the copy is removed', async () => {
    const tmp = tempDir();
    expect(await stopped(tmp, 'SIGTERM')).toBe(143);
    expect(copies(tmp)).toEqual([]);
  });

  it('SIGKILL: the next run that keeps a copy removes it', async () => {
    const tmp = tempDir();
    expect(await stopped(tmp, 'SIGKILL')).toBe('SIGKILL');
    expect(copies(tmp)).toHaveLength(1);
    const dir = folder();
    const r = await runCli(['history', '-', '-r', join(dir, 'r.yaml'), '--as-of', '2026-11-15', '--format', 'json'], { cwd: dir, input: CONTACTS, env: { TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(copies(tmp)).toEqual([]);
  });
});
