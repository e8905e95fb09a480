/**
 * The visual states every lab draws, and how (see the comment at the top of src/styles/tokens.css).
 * Colour always comes with a pattern or a label, so the same picture reads in greyscale and under
 * colour-vision deficiencies:
 *   running    solid fill                 io        diagonal hatch
 *   task       outline + dots             microtask outline + small dots
 *   blocked    cross-hatch                failed    solid + ✕
 *   dropped    dashed outline
 */
export type VisualState = 'running' | 'io' | 'task' | 'microtask' | 'blocked' | 'failed' | 'dropped';

/** Default legend wording; a lab may override (the scheduler says "ready" for `task`). */
export const STATE_LABEL: Record<VisualState, string> = {
  running: 'Running',
  io: 'Waiting for I/O',
  task: 'Queued task',
  microtask: 'Queued microtask',
  blocked: 'Blocked',
  failed: 'Failed',
  dropped: 'Dropped',
};

/** The element id of a state's SVG pattern for one lab instance (see StatePatterns.svelte). */
export function patternId(prefix: string, state: VisualState): string {
  return `${prefix}-pat-${state}`;
}

/** The SVG `fill` value for a state: a CSS colour for solid states, a pattern for the rest. */
export function stateFill(prefix: string, state: VisualState): string {
  switch (state) {
    case 'running':
      return 'var(--c-running)';
    case 'failed':
      return 'var(--c-failed)';
    default:
      return `url(#${patternId(prefix, state)})`;
  }
}

/** The outline colour of a state. */
export function stateStroke(state: VisualState): string {
  return `var(--c-${state === 'task' ? 'task' : state})`;
}
