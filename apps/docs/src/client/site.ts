/**
 * The behaviour every page shares: tabs, and on model pages the link between a kernel and
 * the equation or derivation it implements. Selecting either side highlights both and
 * brings the other into view.
 */
import 'katex/dist/katex.min.css';
import 'highlight.js/styles/github.css';
import './styles.css';
import { keepFormulasFitted } from './fit-math.js';
import { activateTabs } from './tabs.js';

/** The class both sides of a selected pair carry. */
const HIGHLIGHT = 'highlighted';

/** Side by side, the kernels scroll in a column of their own; stacked, they are far below. */
const sideBySide = matchMedia('(min-width: 1001px)');

/**
 * Highlights a kernel and the equation or derivation it computes, and scrolls one of the two
 * into view: the other side from the one the reader clicked.
 */
function selectKernel(kernel: string, reveal: 'equation' | 'kernel' | 'nothing'): void {
  for (const element of document.querySelectorAll(`.${HIGHLIGHT}`)) {
    element.classList.remove(HIGHLIGHT);
    element.removeAttribute('aria-current');
  }
  for (const button of document.querySelectorAll('.select-kernel')) {
    button.setAttribute('aria-pressed', 'false');
  }

  const card = document.querySelector<HTMLElement>(
    `article.kernel[data-kernel="${CSS.escape(kernel)}"]`,
  );
  const equation = document.querySelector<HTMLElement>(
    `.math-column [data-kernel="${CSS.escape(kernel)}"]`,
  );
  for (const element of [card, equation]) {
    element?.classList.add(HIGHLIGHT);
    element?.setAttribute('aria-current', 'true');
  }
  card?.querySelector('.select-kernel')?.setAttribute('aria-pressed', 'true');
  if (reveal === 'nothing') return;
  const target = reveal === 'equation' ? equation : card;
  const still = matchMedia('(prefers-reduced-motion: reduce)').matches;
  target?.scrollIntoView({ block: 'nearest', behavior: still ? 'instant' : 'smooth' });
}

/**
 * Kernel buttons reveal the equation; `kernel …` links beside equations reveal the kernel.
 * A click anywhere else on a step or an equation selects its kernel too, and reveals it only
 * where the kernels stand beside the equations.
 */
function activateLinks(): void {
  document.addEventListener('click', (event) => {
    const target = event.target as Element | null;
    const control = target?.closest<HTMLElement>('[data-select]');
    if (control?.dataset.select !== undefined) {
      event.preventDefault();
      const kernel = control.dataset.select;
      selectKernel(kernel, control.classList.contains('select-kernel') ? 'equation' : 'kernel');
      history.replaceState(null, '', `#kernel=${encodeURIComponent(kernel)}`);
      return;
    }
    if (target?.closest('a, button, summary') || !target?.closest('.steps li, .equation')) return;
    const owner = target.closest<HTMLElement>('.math-column [data-kernel]');
    if (owner?.dataset.kernel !== undefined) {
      selectKernel(owner.dataset.kernel, sideBySide.matches ? 'kernel' : 'nothing');
    }
  });

  const fromHash = /^#kernel=(.+)$/.exec(location.hash)?.[1];
  if (fromHash !== undefined) selectKernel(decodeURIComponent(fromHash), 'kernel');
}

activateTabs(document);
// Before a link in the address scrolls to its kernel: fitting changes the formulas' heights.
keepFormulasFitted();
activateLinks();
