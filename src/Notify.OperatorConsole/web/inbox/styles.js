// The element's own styles, inside its shadow root: a page themes it with the --notify-inbox-* custom properties
// (they cross the shadow boundary) or ::part(bell|badge|panel|item|...). Colours by default meet WCAG AA contrast.
export const STYLES = `
:host {
  --_accent: var(--notify-inbox-accent, #0b57d0);
  --_bg: var(--notify-inbox-background, #ffffff);
  --_fg: var(--notify-inbox-color, #1a1a1a);
  --_muted: var(--notify-inbox-muted, #595959);
  --_border: var(--notify-inbox-border, #d0d4da);
  --_unread-bg: var(--notify-inbox-unread-background, #eef4ff);
  --_badge-bg: var(--notify-inbox-badge-background, #c62828);
  --_badge-fg: var(--notify-inbox-badge-color, #ffffff);
  --_radius: var(--notify-inbox-radius, 8px);
  --_focus: var(--notify-inbox-focus, #0b57d0);
  position: relative;
  display: inline-block;
  font: var(--notify-inbox-font, 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--_fg);
}
[hidden] { display: none !important; }
button { font: inherit; color: inherit; cursor: pointer; }
:focus-visible { outline: 2px solid var(--_focus); outline-offset: 2px; }
.bell {
  position: relative; display: inline-flex; align-items: center; justify-content: center;
  width: var(--notify-inbox-bell-size, 40px); height: var(--notify-inbox-bell-size, 40px);
  border: 1px solid transparent; border-radius: 50%; background: transparent; color: var(--notify-inbox-bell-color, currentColor);
}
.bell:hover { background: rgba(127, 127, 127, 0.15); }
.badge {
  position: absolute; top: 0; right: 0; min-width: 18px; height: 18px; padding: 0 5px; box-sizing: border-box;
  border-radius: 9px; background: var(--_badge-bg); color: var(--_badge-fg); font-size: 11px; font-weight: 700;
  line-height: 18px; text-align: center;
}
.panel {
  position: absolute; top: calc(100% + 6px); right: var(--notify-inbox-panel-right, 0); z-index: var(--notify-inbox-z-index, 1000);
  width: var(--notify-inbox-width, 360px); max-width: calc(100vw - 16px);
  background: var(--_bg); color: var(--_fg); border: 1px solid var(--_border); border-radius: var(--_radius);
  box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18); overflow: hidden;
}
.panel.align-left { right: auto; left: 0; }
.head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 12px; border-bottom: 1px solid var(--_border); }
.head h2 { margin: 0; font-size: 15px; font-weight: 600; }
.head h2:focus { outline: none; }
.head h2:focus-visible { outline: 2px solid var(--_focus); }
.link-button { border: 0; background: none; padding: 4px 6px; color: var(--_accent); border-radius: 4px; }
.link-button:disabled { color: var(--_muted); cursor: default; }
.scroll { max-height: var(--notify-inbox-max-height, 420px); overflow-y: auto; }
ul { list-style: none; margin: 0; padding: 0; }
.item { display: flex; gap: 10px; align-items: flex-start; padding: 10px 12px; border-bottom: 1px solid var(--_border); }
.item.unread { background: var(--_unread-bg); }
.dot { flex: none; width: 8px; height: 8px; margin-top: 6px; border-radius: 50%; background: transparent; }
.unread .dot { background: var(--_accent); }
.avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; object-fit: cover; }
.content { flex: 1; min-width: 0; }
.open {
  display: block; width: 100%; padding: 0; border: 0; background: none; text-align: left;
  color: var(--_fg); text-decoration: none; font-weight: 600; overflow-wrap: anywhere;
}
a.open { color: var(--_accent); }
a.open:hover, button.open:hover { text-decoration: underline; }
.item:not(.unread) .open { font-weight: 400; }
.body { margin: 2px 0 0; color: var(--_fg); overflow-wrap: anywhere; white-space: pre-line; }
.time { display: block; margin-top: 4px; color: var(--_muted); font-size: 12px; }
.archive {
  flex: none; width: 28px; height: 28px; padding: 0; border: 0; border-radius: 4px; background: none; color: var(--_muted);
  display: inline-flex; align-items: center; justify-content: center;
}
.archive:hover { background: rgba(127, 127, 127, 0.15); color: var(--_fg); }
.note { margin: 0; padding: 20px 12px; text-align: center; color: var(--_muted); }
.error { color: var(--notify-inbox-error, #b3261e); }
.more { display: block; width: 100%; padding: 10px; border: 0; border-top: 1px solid var(--_border); background: none; color: var(--_accent); }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;
