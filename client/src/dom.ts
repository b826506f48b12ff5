/** DOM building without innerHTML: every string becomes a text node or a property, never markup. */
export type Child = Node | string | null | undefined | false;

type Props<E extends HTMLElement> = Partial<Omit<E, 'style' | 'dataset'>> & {
  /** Attributes set with setAttribute (aria-*, data-*, role, ...). */
  attrs?: Record<string, string>;
};

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props<HTMLElementTagNameMap[K]> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  const { attrs, ...properties } = props;
  Object.assign(el, properties);
  for (const [name, value] of Object.entries(attrs ?? {})) el.setAttribute(name, value);
  append(el, ...children);
  return el;
}

function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Points an image (or a video's poster) at a picture, or at none; only a new URL makes the browser fetch it. */
export function showPicture(element: HTMLImageElement | HTMLVideoElement, url: string | null): void {
  const attribute = element instanceof HTMLVideoElement ? 'poster' : 'src';
  if (url === null) element.removeAttribute(attribute);
  else if (element.getAttribute(attribute) !== url) element.setAttribute(attribute, url);
}

/** The page's mount point (every page has <main id="app">). */
export function appRoot(): HTMLElement {
  const root = document.getElementById('app');
  if (!root) throw new Error('page has no #app element');
  return root;
}

/** A select's options from [value, label] pairs, keeping the current choice when it still exists. */
export function setOptions(select: HTMLSelectElement, options: ReadonlyArray<readonly [string, string]>): void {
  const previous = select.value;
  select.replaceChildren(...options.map(([value, label]) => h('option', { value, textContent: label })));
  if (options.some(([value]) => value === previous)) select.value = previous;
}
