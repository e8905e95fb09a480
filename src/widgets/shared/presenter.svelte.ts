/**
 * Presenter mode for one lab: the lab element goes full screen (Fullscreen API) with large type.
 * When the browser refuses full screen (iframes without `allowfullscreen`, some mobile browsers),
 * the lab covers the viewport with a CSS class instead. Escape, or the visible Exit button,
 * leaves either way.
 */
export class Presenter {
  /** True while presenting (either way). */
  active = $state(false);
  /** True when presenting with the CSS fallback rather than real full screen. */
  fallback = $state(false);

  #el: HTMLElement | null = null;
  #onChange = () => {
    if (!this.#el) return;
    const fs = document.fullscreenElement === this.#el;
    if (!fs && this.active && !this.fallback) this.active = false;
  };

  /** Wire to the lab element; returns the teardown. */
  attach(el: HTMLElement): () => void {
    this.#el = el;
    document.addEventListener('fullscreenchange', this.#onChange);
    return () => {
      document.removeEventListener('fullscreenchange', this.#onChange);
      if (this.active) void this.exit();
      this.#el = null;
    };
  }

  async enter(): Promise<void> {
    const el = this.#el;
    if (!el || this.active) return;
    let ok = false;
    if (document.fullscreenEnabled && typeof el.requestFullscreen === 'function') {
      try {
        await el.requestFullscreen({ navigationUI: 'hide' });
        ok = true;
      } catch {
        ok = false;
      }
    }
    this.fallback = !ok;
    this.active = true;
    if (this.fallback) document.documentElement.classList.add('lab-presenting');
  }

  async exit(): Promise<void> {
    if (!this.active) return;
    const wasFallback = this.fallback;
    this.active = false;
    this.fallback = false;
    document.documentElement.classList.remove('lab-presenting');
    if (!wasFallback && document.fullscreenElement) {
      try {
        await document.exitFullscreen();
      } catch {
        /* already left */
      }
    }
  }

  toggle(): Promise<void> {
    return this.active ? this.exit() : this.enter();
  }
}
