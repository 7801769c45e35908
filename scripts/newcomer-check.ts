/**
 * The pure half of the README newcomer check (scripts/readme-newcomer.ts): the README's marked
 * quick-start blocks, and which output lines look like a failure to someone who follows them.
 */

/** The marker line before a quick-start block: `<!-- quick-start:NAME -->`, then a ```sh fence. */
const MARKER = /^<!-- quick-start:([a-z-]+) -->$/;

/**
 * The README's quick-start blocks by name: each marker line, then (after blank lines at most) a
 * fenced `sh` block whose non-blank lines are the commands, exactly as written. Throws when a marker
 * is not followed by a ```sh block, or a name is used twice.
 */
export function quickStartBlocks(readme: string): Map<string, string[]> {
  const lines = readme.split(/\r?\n/);
  const blocks = new Map<string, string[]>();
  for (let i = 0; i < lines.length; i++) {
    const name = MARKER.exec(lines[i]!.trim())?.[1];
    if (!name) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    if (lines[j]?.trim() !== '```sh') throw new Error(`README.md line ${i + 1}: the quick-start:${name} marker must be followed by a \`\`\`sh block`);
    const commands: string[] = [];
    for (j++; j < lines.length && lines[j]!.trim() !== '```'; j++) {
      if (lines[j]!.trim() !== '') commands.push(lines[j]!.trim());
    }
    if (j === lines.length) throw new Error(`README.md line ${i + 1}: the quick-start:${name} block is not closed`);
    if (blocks.has(name)) throw new Error(`README.md line ${i + 1}: a second quick-start:${name} block`);
    blocks.set(name, commands);
  }
  return blocks;
}

/** Whether a quick-start command is the long-running start of the app (time-boxed by the check). */
export function isStartCommand(command: string): boolean {
  return /(^|\s)npm (start|run serve)(\s|$)/.test(command);
}

/** What looks like a failure to a newcomer reading the terminal: one pattern and its name. */
export const ALARMING: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'npm error', pattern: /\bnpm (error|ERR!)/i },
  { name: 'ERR!', pattern: /ERR!/ },
  { name: 'an error', pattern: /\w*error\b/i },
  { name: 'a failure', pattern: /\bfail(s|ed|ure|ing)?\b/i },
  { name: 'a system error code', pattern: /\bE(ADDRINUSE|ACCES|NOENT|CONNREFUSED|PERM|NOTFOUND)\b/ },
  { name: 'a stack frame', pattern: /^\s+at \S.*(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/ },
  { name: 'reinstall advice', pattern: /please delete|try installing again|reinstall/i },
  { name: 'a deprecation', pattern: /deprecat/i },
  { name: 'a warning', pattern: /\w*warn(ing)?s?\b/i },
  { name: 'a crash', pattern: /\b(uncaught|unhandled|panic|segmentation fault|core dumped|aborted)\b/i },
  { name: 'something impossible', pattern: /\b(cannot|can't|unable to)\b/i },
];

/**
 * Lines that match ALARMING but are expected, each with why it is harmless and where the README
 * says so. EBADENGINE: npm prints a block per package; every line of the block is allowed, but a
 * `package:` line naming any other package is not (a new one must be explained first).
 */
export const ALLOWED: ReadonlyArray<{ pattern: RegExp; reason: string }> = [
  {
    pattern: /^npm warn EBADENGINE (Unsupported engine \{|\s+(required|current): .*|\})$|^npm warn EBADENGINE\s+package: '(electron|@electron\/get|@electron-internal\/extract-zip|@electron\/rebuild|node-abi)@[^']+',$/,
    reason:
      "Electron's download and electron-builder's rebuild tools ask for Node 22.12; harmless on Node 20.19 (README, Install and run: What npm prints on Node 20)",
  },
];

/** One output line and what the check makes of it. */
export interface LineVerdict {
  line: string;
  /** 'alarming': looks like a failure and is not allowed; 'allowed': looks like one, with a reason. */
  verdict: 'plain' | 'allowed' | 'alarming';
  /** The ALARMING names it matched, or the allow-list reason. */
  why?: string;
}

/** Classifies one line of a command's output (stdout or stderr, without its newline). */
export function classifyLine(line: string): LineVerdict {
  const matched = ALARMING.filter(({ pattern }) => pattern.test(line)).map(({ name }) => name);
  if (matched.length === 0) return { line, verdict: 'plain' };
  const allowed = ALLOWED.find(({ pattern }) => pattern.test(line));
  return allowed ? { line, verdict: 'allowed', why: allowed.reason } : { line, verdict: 'alarming', why: matched.join(', ') };
}
