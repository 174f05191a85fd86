/* SPDX-License-Identifier: EUPL-1.2 */
// Language names for channel codes, in the reader's language.

let display = null;
try {
  display = new Intl.DisplayNames([navigator.language, 'en'], { type: 'language' });
} catch {
  display = null;
}

/** "English" for "en", "Floor (original)" for "floor"; the code itself if unknown. */
export function languageName(code) {
  if (code === 'floor') return 'Floor (original)';
  if (code === 'silence') return 'Silence';
  try {
    const name = display && display.of(code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

/** "English (en)". */
export function channelLabel(code) {
  const name = languageName(code);
  return code === 'floor' || name === code ? name : `${name} (${code})`;
}

/** The quality tag as shown: "floor", "+" or "-". */
export function qualityLabel(tag) {
  return { floor: 'floor', '+': '+ direct', '-': '− relay' }[tag] || tag || '';
}
