/** Where the replay's progress goes: a terminal's stderr only (a pipe or a file gets nothing). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** The progress writer for `stream`: one line rewritten in place, or none when it is not a terminal. */
export function terminalProgress(stream: ProgressStream): ((line: string | undefined) => void) | undefined {
  if (stream.isTTY !== true) return undefined;
  // `\r` + erase-line keeps one line updated; undefined clears it before the report is printed.
  return (line) => void stream.write(line === undefined ? '\r\x1b[K' : `\r\x1b[K${line}`);
}

/**
 * A page callback for `replayStore` that reports at most every `everyMs` milliseconds: events
 * read, the position reached and the rate so far.
 */
export function replayProgress(
  show: (line: string) => void,
  now: () => number,
  everyMs = 250,
): (events: number, position: bigint) => void {
  const started = now();
  let last = -Infinity;
  return (events, position) => {
    const at = now();
    if (at - last < everyMs) return;
    last = at;
    const rate = Math.round((events / Math.max(at - started, 1)) * 1000);
    show(
      `netpay-audit: ${events.toLocaleString('en-US')} events replayed (position ${position}), ${rate.toLocaleString('en-US')}/s`,
    );
  };
}
