/**
 * The progress of a training run on the terminal. On a TTY, one bar per epoch redrawn in
 * place (`epoch 2/5 [=========>          ] 61/125 loss 0.2841`); elsewhere, such as CI logs,
 * only the line each epoch ends with.
 */
export class ProgressBar {
  private lastDraw = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly interactive: boolean,
    private readonly width = 28,
  ) {}

  /** Redraws the bar at most every 50 ms, so that drawing never slows training down. */
  step(epoch: number, epochs: number, step: number, steps: number, loss: number): void {
    if (!this.interactive) return;
    const now = Date.now();
    if (step < steps && now - this.lastDraw < 50) return;
    this.lastDraw = now;
    const filled = Math.round((step / steps) * this.width);
    const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}`.padEnd(this.width);
    this.write(
      `\r\u001b[2Kepoch ${epoch}/${epochs} [${bar}] ${step}/${steps} loss ${loss.toFixed(4)}`,
    );
  }

  /** Replaces the bar with the epoch's summary line. */
  done(line: string): void {
    this.write(`${this.interactive ? '\r\u001b[2K' : ''}${line}\n`);
  }
}
