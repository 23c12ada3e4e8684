// The one way the board makes elements. Strings become text nodes, attributes go through setAttribute:
// nothing a student sends (a name, a check message) is ever parsed as HTML.

/**
 * h('td', { class: 'cell', 'aria-label': label, on: { click } }, 'text', node, [more], null)
 * `class` may be a string or a list; `on` holds event listeners; null, undefined and false are left out.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, listener] of Object.entries(value)) element.addEventListener(event, listener);
    } else if (name === 'class') {
      element.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent` with `children` (text or nodes). */
export function fill(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
  return parent;
}

/** A student's name, isolated so that right-to-left characters in it cannot reorder the text around it. */
export function studentName(name) {
  return h('bdi', { class: 'name' }, name);
}
