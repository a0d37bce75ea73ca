// The sandbox's argv prefix (pure) and the probe's one-line answer when bwrap is missing.
import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../src/sandbox/bwrap.js';
import { probeSandbox } from '../../src/sandbox/probe.js';

describe('bwrapArgs', () => {
  it('mounts parents before children: a hidden root, then the paths shown through it, read-only last', () => {
    const args = bwrapArgs({
      workspace: '/runs/r1/a',
      writable: ['/runs/r1/.claude-config', '/runs/r1/.claude-config/projects/-runs-r1-a', '/home/u/extra'],
      readable: ['/repo/.git'],
      hidden: ['/runs', '/runs/r1/.claude-config/projects'],
      network: true,
    });
    expect(args.slice(0, 9)).toEqual(['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp']);
    const mounts = args.slice(9, args.indexOf('--remount-ro'));
    expect(mounts).toEqual([
      ...['--tmpfs', '/runs'],
      ...['--ro-bind-try', '/repo/.git', '/repo/.git'],
      ...['--bind-try', '/runs/r1/.claude-config', '/runs/r1/.claude-config'],
      ...['--bind-try', '/home/u/extra', '/home/u/extra'],
      ...['--bind', '/runs/r1/a', '/runs/r1/a'],
      ...['--tmpfs', '/runs/r1/.claude-config/projects'],
      ...['--bind-try', '/runs/r1/.claude-config/projects/-runs-r1-a', '/runs/r1/.claude-config/projects/-runs-r1-a'],
    ]);
    expect(args.slice(args.indexOf('--remount-ro'))).toEqual([
      ...['--remount-ro', '/runs', '--remount-ro', '/runs/r1/.claude-config/projects'],
      ...['--unshare-pid', '--die-with-parent', '--chdir', '/runs/r1/a', '--'],
    ]);
  });

  it('takes the network away only when asked', () => {
    const spec = { workspace: '/w', writable: [], readable: [], hidden: [], network: false };
    expect(bwrapArgs(spec)).toContain('--unshare-net');
    expect(bwrapArgs({ ...spec, network: true })).not.toContain('--unshare-net');
  });
});

describe('probeSandbox', () => {
  it('says in one line that bubblewrap is missing and how to get it', async () => {
    const problem = await probeSandbox('/nonexistent/bwrap');
    expect(problem).toMatch(/^--sandbox needs bubblewrap, and "\/nonexistent\/bwrap" was not found: install it \(Debian\/Ubuntu: apt-get install bubblewrap\)/);
    expect(problem).not.toContain('\n');
  });

  it('says why when bwrap runs but cannot make the sandbox', async () => {
    // `false` stands in for a bwrap the kernel refuses: it runs, and fails.
    const problem = await probeSandbox('false');
    expect(problem).toMatch(/^--sandbox: bubblewrap \(false\) cannot make a sandbox here: .*user namespaces/);
  });
});
