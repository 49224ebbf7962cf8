/** One point of the training curve: the step, the training loss, and the held-out accuracy. */
export interface ChartPoint {
  readonly step: number;
  readonly loss: number;
  /** Between 0 and 1, where it was measured at this step. */
  readonly accuracy?: number;
}

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 44, right: 44, top: 28, bottom: 30 };

/**
 * The loss (left axis, from 0 to its largest value) and the held-out accuracy (right axis, 0
 * to 100%) against the step, as an SVG drawn into `container`.
 */
export function drawChart(
  container: HTMLElement,
  points: readonly ChartPoint[],
  steps: number,
): void {
  const maxLoss = Math.max(1e-6, ...points.map((p) => p.loss));
  const x = (step: number) =>
    PAD.left + ((WIDTH - PAD.left - PAD.right) * step) / Math.max(1, steps);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const yLoss = (loss: number) => PAD.top + plotHeight * (1 - loss / maxLoss);
  const yAccuracy = (accuracy: number) => PAD.top + plotHeight * (1 - accuracy);
  const accuracy = points.filter((p) => p.accuracy !== undefined);

  container.innerHTML = `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Training loss and held-out accuracy by step">
${points.length === 0 ? emptyNote() : gridLines(maxLoss, yLoss)}
<text x="${PAD.left}" y="${HEIGHT - 8}">0</text>
<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">step ${steps}</text>
<text x="${WIDTH - 6}" y="${PAD.top + 4}" text-anchor="end">100%</text>
<text x="${WIDTH - 6}" y="${PAD.top + plotHeight}" text-anchor="end">0%</text>
<path class="loss" d="${path(points.map((p) => [x(p.step), yLoss(p.loss)]))}"/>
<path class="accuracy" d="${path(accuracy.map((p) => [x(p.step), yAccuracy(p.accuracy as number)]))}"/>
<rect class="legend-loss" x="${PAD.left}" y="8" width="12" height="4"/><text x="${PAD.left + 16}" y="14">training loss</text>
<rect class="legend-accuracy" x="${PAD.left + 110}" y="8" width="12" height="4"/><text x="${PAD.left + 126}" y="14">held-out accuracy</text>
</svg>`;
}

function emptyNote(): string {
  const middle = PAD.top + (HEIGHT - PAD.top - PAD.bottom) / 2;
  return `<text x="${WIDTH / 2}" y="${middle}" text-anchor="middle">Train to see the loss fall and the accuracy rise.</text>`;
}

function gridLines(maxLoss: number, y: (loss: number) => number): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const at = y(maxLoss * f);
      return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${at}" y2="${at}"/><text x="${PAD.left - 6}" y="${at + 4}" text-anchor="end">${(maxLoss * f).toPrecision(2)}</text>`;
    })
    .join('\n');
}

function path(points: readonly (readonly [number, number])[]): string {
  return points
    .map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`)
    .join(' ');
}
