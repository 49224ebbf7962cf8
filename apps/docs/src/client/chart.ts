/** One point of the training curve: the step, the training loss, and the held-out accuracy. */
export interface ChartPoint {
  readonly step: number;
  readonly loss: number;
  /** Between 0 and 1, where it was measured at this step. */
  readonly accuracy?: number;
}

/** The loss axis: round tick values from 0 to `top`, printed with `decimals` digits. */
export interface LossAxis {
  readonly top: number;
  readonly ticks: readonly number[];
  readonly decimals: number;
}

/** The chart's width where the container has not been laid out yet, and its fixed height. */
const DEFAULT_WIDTH = 640;
const HEIGHT = 260;
/** Below this width the labels would crowd the curve; the SVG scales down instead. */
const MIN_WIDTH = 300;
const PAD = { left: 44, right: 44, top: 28, bottom: 30 };
/** About as many intervals as the loss axis should have. */
const TICK_INTERVALS = 5;

/**
 * An axis from 0 to a round number at or above `maxLoss`, in steps of 1, 2 or 5 times a power
 * of ten: `lossAxis(2.1)` has the ticks 0, 0.5, 1, 1.5, 2, 2.5, printed with one decimal.
 */
export function lossAxis(maxLoss: number): LossAxis {
  const max = Number.isFinite(maxLoss) && maxLoss > 0 ? maxLoss : 1;
  const magnitude = 10 ** Math.floor(Math.log10(max / TICK_INTERVALS));
  const step = magnitude * ([1, 2, 5].find((m) => m * magnitude * TICK_INTERVALS >= max) ?? 10);
  const count = Math.ceil(max / step - 1e-9);
  const ticks = Array.from({ length: count + 1 }, (_, k) => k * step);
  return { top: count * step, ticks, decimals: Math.max(0, -Math.floor(Math.log10(step))) };
}

/**
 * The loss (left axis, from 0 to a round value above its largest) and the held-out accuracy
 * (right axis, 0 to 100%) against the step, as an SVG drawn into `container` at its own width,
 * so that the labels keep their size on a phone.
 */
export function drawChart(
  container: HTMLElement,
  points: readonly ChartPoint[],
  steps: number,
): void {
  const width = Math.max(MIN_WIDTH, Math.round(container.clientWidth) || DEFAULT_WIDTH);
  const finite = points.filter((p) => Number.isFinite(p.loss));
  const axis = lossAxis(Math.max(0, ...finite.map((p) => p.loss)));
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (step: number) =>
    PAD.left + ((width - PAD.left - PAD.right) * step) / Math.max(1, steps);
  const yLoss = (loss: number) => PAD.top + plotHeight * (1 - loss / axis.top);
  const yAccuracy = (accuracy: number) => PAD.top + plotHeight * (1 - accuracy);
  const accuracy = points.filter((p) => p.accuracy !== undefined);

  container.innerHTML = `<svg viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="Training loss and held-out accuracy by step">
${points.length === 0 ? emptyNote(width) : gridLines(axis, width, yLoss)}
<text x="${PAD.left}" y="${HEIGHT - 8}">0</text>
<text x="${width - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">step ${steps}</text>
<text x="${width - 6}" y="${PAD.top + 4}" text-anchor="end">100%</text>
<text x="${width - 6}" y="${PAD.top + plotHeight + 4}" text-anchor="end">0%</text>
<path class="loss" d="${path(finite.map((p) => [x(p.step), yLoss(p.loss)]))}"/>
<path class="accuracy" d="${path(accuracy.map((p) => [x(p.step), yAccuracy(p.accuracy as number)]))}"/>
${legend()}
</svg>`;
}

function legend(): string {
  const at = PAD.left;
  return `<rect class="legend-loss" x="${at}" y="9" width="12" height="4"/><text x="${at + 16}" y="15">training loss</text>
<rect class="legend-accuracy" x="${at + 118}" y="9" width="12" height="4"/><text x="${at + 134}" y="15">held-out accuracy</text>`;
}

function emptyNote(width: number): string {
  const middle = PAD.top + (HEIGHT - PAD.top - PAD.bottom) / 2;
  return `<text x="${width / 2}" y="${middle}" text-anchor="middle">Train to see the loss fall and the accuracy rise.</text>`;
}

/** A horizontal line and a label at each tick of the loss axis. */
function gridLines(axis: LossAxis, width: number, y: (loss: number) => number): string {
  return axis.ticks
    .map((tick) => {
      const at = y(tick).toFixed(1);
      const label = tick.toFixed(axis.decimals);
      return `<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${at}" y2="${at}"/><text class="tick" x="${PAD.left - 6}" y="${Number(at) + 4}" text-anchor="end">${label}</text>`;
    })
    .join('\n');
}

function path(points: readonly (readonly [number, number])[]): string {
  return points
    .map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`)
    .join(' ');
}
