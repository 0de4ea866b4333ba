// The one place the console turns the browser's language into a locale for Intl. A browser whose language comes
// from a POSIX locale reports a tag Intl refuses (navigator.language 'en-US@posix' in Chromium started under LANG=C):
// every Intl constructor given it throws RangeError "Invalid language tag". So the tag is checked once here and,
// when refused, replaced by its usable part ('en-US@posix' -> 'en-US', 'de_DE.UTF-8' -> 'de-DE') or the default.
// Build every formatter from `locale` (or numberFormat/dateTimeFormat below), never from navigator.language.

export const DEFAULT_LOCALE = 'en-US';

/** The first of the tags Intl accepts, as Intl spells it; else its usable prefix; else the default. */
export function acceptedLocale(...tags) {
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0) continue;
    for (const candidate of [tag, tag.split(/[@.]/)[0].replace(/_/g, '-')]) {
      try {
        const [canonical] = Intl.getCanonicalLocales(candidate);
        if (canonical) return canonical;
      } catch {
        // RangeError: not a BCP 47 tag; try the next form.
      }
    }
  }
  return DEFAULT_LOCALE;
}

export const locale = acceptedLocale(globalThis.navigator?.language, ...(globalThis.navigator?.languages ?? []));

export const numberFormat = options => new Intl.NumberFormat(locale, options);

export const dateTimeFormat = options => new Intl.DateTimeFormat(locale, options);

// uPlot builds `new Intl.NumberFormat(navigator.language)` as its module loads and takes no locale option. main.js
// imports this module first, so, where the browser's tag is refused, navigator.language already reads the accepted
// locale when uPlot is evaluated.
if (globalThis.navigator && !isAccepted(navigator.language)) {
  try {
    Object.defineProperty(navigator, 'language', { value: locale, configurable: true });
    Object.defineProperty(navigator, 'languages', { value: Object.freeze([locale]), configurable: true });
  } catch {
    // A browser that forbids it: uPlot may still fail, the rest of the console does not depend on it.
  }
}

function isAccepted(tag) {
  try {
    return Intl.getCanonicalLocales(tag).length > 0;
  } catch {
    return false;
  }
}
