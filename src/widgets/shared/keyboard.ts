/**
 * The keyboard map every lab shares, active only while focus is inside that lab (several labs can
 * sit on one page, so nothing is bound to `window`).
 *
 *   Space              play / pause
 *   ArrowRight / Left  one step forward / back
 *   Shift + Arrow      ten steps
 *   Home / End         first / last step
 *
 * Keys in form controls that use them (text and number fields, selects, radio groups, sliders
 * other than the scrub slider) are left alone, and Space on a button, link or checkbox keeps its
 * native meaning (activate it). On the scrub slider (marked `data-lab-scrub`) the map replaces
 * the native behaviour, so Shift+Arrow jumps ten steps there too.
 */

export interface KeyTarget {
  toggle(): void;
  next(n?: number): void;
  prev(n?: number): void;
  home(): void;
  end(): void;
}

/** The key hints shown in tooltips, so labels and behaviour cannot drift apart. */
export const KEY_HINTS = {
  toggle: 'Space',
  next: '→',
  prev: '←',
  jump: 'Shift+→ / Shift+←',
  home: 'Home',
  end: 'End',
} as const;

const SHIFT_JUMP = 10;

/** Attribute that marks the timeline's own scrub slider (the map applies there). */
export const SCRUB_ATTR = 'data-lab-scrub';

/** Form controls that use these keys themselves: text, numbers, selects, radios, other sliders. */
export function ownsKeys(el: EventTarget | null): boolean {
  if (!(el instanceof Element)) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  // Monaco 0.57 types into an element that is not a <textarea>: every key there is the editor's.
  if (el.closest('.monaco-editor')) return true;
  if (el instanceof HTMLInputElement) {
    if (el.hasAttribute(SCRUB_ATTR)) return false;
    return el.type !== 'checkbox' && el.type !== 'button' && el.type !== 'submit' && el.type !== 'reset';
  }
  if (el.getAttribute('role') === 'slider' || el.getAttribute('role') === 'radio') return true;
  return el instanceof HTMLElement && el.isContentEditable;
}

function isActivatable(el: Element): boolean {
  return (
    el instanceof HTMLButtonElement ||
    el instanceof HTMLAnchorElement ||
    el.tagName === 'SUMMARY' ||
    (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio' || el.type === 'button')) ||
    el.getAttribute('role') === 'button'
  );
}

/**
 * Handles one keydown inside a lab. Returns true (and prevents the default) when the key was
 * the lab's. Call from the lab root's `onkeydown`.
 */
export function handleLabKey(event: KeyboardEvent, target: KeyTarget): boolean {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return false;
  const el = event.target instanceof Element ? event.target : null;
  if (el && ownsKeys(el)) return false;
  const n = event.shiftKey ? SHIFT_JUMP : 1;
  switch (event.key) {
    case ' ':
    case 'Spacebar':
      if (el && isActivatable(el)) return false;
      if (event.repeat) {
        event.preventDefault();
        return true;
      }
      target.toggle();
      break;
    case 'ArrowRight':
      target.next(n);
      break;
    case 'ArrowLeft':
      target.prev(n);
      break;
    case 'Home':
      target.home();
      break;
    case 'End':
      target.end();
      break;
    default:
      return false;
  }
  event.preventDefault();
  return true;
}
