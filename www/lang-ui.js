// The interface language on the page: picks it at boot (www/i18n.js detectLang), translates
// index.html's static text (data-i18n attributes), owns the header's "中文 / English"
// switch, and gives each mounted panel a scoped context so that a panel mounted again
// after a switch does not leave its old event listeners behind.
import { detectLang, setLang, lang, t, translateStatic } from "./i18n.js";
import { $ } from "./dom.js";

/** Sets the starting language, translates the page and wires the switch; `onChange(lang)` re-renders. */
export function initLanguage({ onChange } = {}) {
  setLang(detectLang());
  translateStatic();
  const button = $("#lang-switch");
  const label = () => {
    if (!button) return;
    // The switch names the other language in that language.
    const other = lang() === "zh" ? "en" : "zh";
    button.textContent = other === "zh" ? "中文" : "English";
    button.lang = other === "zh" ? "zh-CN" : "en";
    button.dataset.lang = other;
    button.setAttribute("aria-label", t(other === "zh" ? "中文 — switch the interface to Chinese" : "English — switch the interface to English"));
    button.title = t(other === "zh" ? "Switch the interface to Chinese" : "Switch the interface to English");
  };
  label();
  button?.addEventListener("click", () => {
    setLang(button.dataset.lang, { persist: true });
    // The URL's ?lang= would win over the saved choice on reload: follow the switch there too.
    const url = new URL(location.href);
    if (url.searchParams.has("lang")) {
      url.searchParams.set("lang", lang());
      history.replaceState(history.state, "", url);
    }
    translateStatic();
    label();
    onChange?.(lang());
  });
}

/**
 * A view of `ctx` for one panel mount: reads and writes go to `ctx`, but `on(type, fn)`
 * listeners are recorded so that `dispose()` removes them.
 */
export function scopedContext(ctx) {
  const added = [];
  const on = (type, fn) => {
    const listener = (e) => fn(e.detail);
    ctx.events.addEventListener(type, listener);
    added.push([type, listener]);
  };
  const view = new Proxy(ctx, {
    get: (target, prop) => (prop === "on" ? on : Reflect.get(target, prop)),
    set: (target, prop, value) => Reflect.set(target, prop, value),
  });
  return {
    ctx: view,
    dispose() {
      for (const [type, listener] of added) ctx.events.removeEventListener(type, listener);
      added.length = 0;
    },
  };
}
