/**
 * The behaviour every page shares: tabs, and on model pages the link between a kernel and
 * the equation or derivation it implements. Selecting either side highlights both and
 * brings the other into view.
 */
import 'katex/dist/katex.min.css';
import 'highlight.js/styles/github.css';
import './styles.css';
import { activateTabs } from './tabs.js';

/** The class both sides of a selected pair carry. */
export const HIGHLIGHT = 'highlighted';

function selectKernel(kernel: string, reveal: 'equation' | 'kernel'): void {
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
  const target = reveal === 'equation' ? equation : card;
  const still = matchMedia('(prefers-reduced-motion: reduce)').matches;
  target?.scrollIntoView({ block: 'nearest', behavior: still ? 'instant' : 'smooth' });
}

/** Kernel buttons reveal the equation; `kernel …` links beside equations reveal the kernel. */
function activateLinks(): void {
  document.addEventListener('click', (event) => {
    const control = (event.target as Element | null)?.closest<HTMLElement>('[data-select]');
    const kernel = control?.dataset.select;
    if (control === null || control === undefined || kernel === undefined) return;
    event.preventDefault();
    selectKernel(kernel, control.classList.contains('select-kernel') ? 'equation' : 'kernel');
    history.replaceState(null, '', `#kernel=${encodeURIComponent(kernel)}`);
  });

  const fromHash = /^#kernel=(.+)$/.exec(location.hash)?.[1];
  if (fromHash !== undefined) selectKernel(decodeURIComponent(fromHash), 'kernel');
}

activateTabs(document);
activateLinks();
