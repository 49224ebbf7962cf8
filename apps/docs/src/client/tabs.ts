import { fitFormulas } from './fit-math.js';

/**
 * Tab lists: a `.tabs` element of `[data-tab]` buttons, followed by sibling `.tab-panel`
 * elements with matching `[data-panel]`. Selecting a tab shows its panel and hides the rest.
 */
export function activateTabs(root: ParentNode): void {
  for (const list of root.querySelectorAll<HTMLElement>('.tabs')) {
    list.addEventListener('click', (event) => {
      const tab = (event.target as Element).closest<HTMLElement>('[data-tab]');
      if (tab?.dataset.tab !== undefined) showTab(list, tab.dataset.tab);
    });
  }
}

/** Shows the panel `name` of the tab list `list`. */
export function showTab(list: HTMLElement, name: string): void {
  for (const tab of list.querySelectorAll<HTMLElement>('[data-tab]')) {
    tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  }
  for (const panel of list.parentElement?.querySelectorAll<HTMLElement>(':scope > .tab-panel') ??
    []) {
    panel.hidden = panel.dataset.panel !== name;
    // Formulas in a hidden panel had no width to fit.
    if (!panel.hidden) fitFormulas(panel);
  }
}
