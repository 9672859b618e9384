/* rollbook's search worker, in place of Material's (Material lets a site bring its own: it
   talks to the worker through four messages, SETUP, READY, QUERY and RESULT).

   Material's worker needs the whole index before the first search: megabytes at 10,000
   runbooks. This one reads a split index (see rollbook/site/search.py): for each word of the
   query, the one file that lists every page with a word starting with it (a small file of
   index words sharing its first letters, or, for a short prefix of many words in a big site,
   that prefix's list of pages), plus the file of the word's stem when the stem is shorter
   (`refunds` also reads `refund`'s); then the page files holding the results it shows, once
   the reader pauses typing. So it knows how many pages match while it shows the best few:
   the RESULT says `total`, and rollbook.js writes "Showing the best 20 of 312" on the
   results. Files are fetched once per page view and kept in memory; the service worker keeps
   them for offline use.

   Titles and text come from runbooks and may be hostile: Material puts what this worker
   returns into the page as HTML, so every piece of it is escaped here. */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
// The site root: this script is assets/rollbook/search.js.
const ROOT = new URL("../../", self.location.href);
const PLAIN = /^[a-z0-9]$/;
const PAUSE = 300; // milliseconds
// In a prefix file, the key of every page with a word starting with the prefix.
const ALL_PAGES = "";
// stem(): as rollbook.site.search.stem, rule for rule (a test runs both on a word list).
const STEM_SUFFIXES = ["ying", "ies", "ied", "ing", "es", "ed", "s", "e", "y"];
const VOWELS = "aeiou";

let settings = null;
let separator = /[\s\-_.,:;/()]+/;
let split = new Set();
let latest = 0;
const files = new Map();

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c]
  ));
}

function words(text) {
  // Single characters are not indexed: they would match nearly everything.
  return String(text).toLowerCase().split(separator).filter((w) => Array.from(w).length > 1);
}

// The word without one English inflection (refunds, refunded, refunding -> refund): see
// stem() in rollbook/site/search.py for the rules. Only words of the letters a-z.
function stem(word) {
  if (!/^[a-z]+$/.test(word)) { return word; }
  for (const suffix of STEM_SUFFIXES) {
    if (!word.endsWith(suffix)) { continue; }
    let base = word.slice(0, word.length - suffix.length);
    if (base.length < 3) { continue; }
    const last = base[base.length - 1];
    if ((suffix === "ying" || suffix === "y") && VOWELS.includes(last)) { continue; }
    if (suffix === "s" && /(ss|us|is)$/.test(word)) { continue; }
    if (suffix === "ed" && word.endsWith("eed")) { continue; }
    if (suffix === "ing" || suffix === "ed") {
      if (!/[aeiouy]/.test(base)) { continue; }
      if (base.length > 3 && last === base[base.length - 2] && !(VOWELS + "ylsz").includes(last)) {
        base = base.slice(0, -1);
      }
    }
    return base;
  }
  return word;
}

// The prefix whose term file holds a word: its first two characters, or more where the site
// split a big file by one more character (the site lists the split prefixes).
function filePrefix(term) {
  const chars = Array.from(term);
  let length = Math.min(2, chars.length);
  while (length < chars.length && split.has(chars.slice(0, length).join(""))) { length += 1; }
  return chars.slice(0, length).join("");
}

function fileKey(prefix) {
  return Array.from(prefix).map((c) => (
    PLAIN.test(c) ? c : "_" + c.codePointAt(0).toString(16) + "_"
  )).join("");
}

// The files that hold every indexed word starting with `term` or of its stem: the term file
// of its prefix, or, when the term is itself a split prefix, that prefix's file of pages;
// and the stem's term file. As query_files in rollbook/site/search.py.
function queryFiles(term) {
  const prefix = filePrefix(term);
  const names = [(split.has(prefix) ? "p/" : "t/") + fileKey(prefix) + ".json"];
  const base = stem(term);
  if (base !== term) {
    const other = "t/" + fileKey(filePrefix(base)) + ".json";
    if (!names.includes(other)) { names.push(other); }
  }
  return names;
}

function load(path) {
  if (!files.has(path)) {
    const url = new URL("search/" + path + "?v=" + settings.version, ROOT);
    const pending = fetch(url).then((response) => {
      if (response.status === 404) { return null; }
      if (!response.ok) { throw new Error(response.status + " " + url); }
      return response.json();
    });
    // A failed fetch (the network dropped) is tried again on the next query.
    pending.catch(() => files.delete(path));
    files.set(path, pending);
  }
  return files.get(path);
}

// The text with every word that a query term finds (it starts with the term, or has the
// term's stem) marked, escaped piece by piece.
function highlight(text, terms) {
  const bases = terms.map(stem);
  const pieces = String(text).split(new RegExp("(" + separator.source + ")"));
  return pieces.map((piece, i) => {
    const safe = escapeHtml(piece);
    const lower = piece.toLowerCase();
    const hit = i % 2 === 0 && piece && terms.some((term, k) => (
      lower.startsWith(term) || stem(lower) === bases[k]
    ));
    return hit ? "<mark>" + safe + "</mark>" : safe;
  }).join("");
}

// Page number -> score for one query term, from the files queryFiles named: 1 for a word
// that starts with the term, 2 for the term itself or a word of its stem, plus 1 where that
// word is in the page's title.
function scores(term, loaded) {
  const base = stem(term);
  const best = new Map();
  for (const file of loaded) {
    for (const [word, entries] of Object.entries(file || {})) {
      let whole;
      if (word === ALL_PAGES) { whole = 0; }
      else if (word === term || stem(word) === base) { whole = 1; }
      else if (word.startsWith(term)) { whole = 0; }
      else { continue; }
      let entry = 0;
      for (const gap of entries) {
        entry += gap;
        const page = entry >> 1;
        const score = 1 + whole + (entry & 1);
        if ((best.get(page) || 0) < score) { best.set(page, score); }
      }
    }
  }
  return best;
}

async function search(query, stale) {
  // Query syntax Material's lunr search understands (+word, -word, word*, word~1) is read as
  // plain words here.
  const terms = [...new Set(words(query.replace(/[*+~^]/g, " ")))];
  if (!terms.length) {
    // Only single letters (or nothing): say so rather than "no matching documents".
    return { items: [], total: 0, note: /[^\s*+~^]/.test(query) ? "short" : "" };
  }
  const loaded = await Promise.all(terms.map((term) => Promise.all(queryFiles(term).map(load))));
  // page number -> [terms found, score, terms found]
  const found = new Map();
  terms.forEach((term, t) => {
    for (const [page, score] of scores(term, loaded[t])) {
      const hit = found.get(page) || [0, 0, new Set()];
      hit[0] += 1; hit[1] += score; hit[2].add(term);
      found.set(page, hit);
    }
  });
  if (!found.size || stale()) { return { items: [], total: 0 }; }
  // Pages with the most query words are the matches (the others say which words they lack);
  // all of them are counted, the best shown: most query words, best matches, page order.
  let most = 0;
  for (const hit of found.values()) { most = Math.max(most, hit[0]); }
  const matching = [...found.entries()].filter(([, hit]) => hit[0] === most);
  const ranked = matching
    .sort((a, b) => (b[1][1] - a[1][1]) || (a[0] - b[0]))
    .slice(0, settings.results);
  const chunks = new Map();
  for (const [page] of ranked) {
    const n = Math.floor(page / settings.chunk);
    if (!chunks.has(n)) { chunks.set(n, load("d/" + n + ".json")); }
  }
  const pageFiles = new Map();
  await Promise.all([...chunks].map(async ([n, pending]) => pageFiles.set(n, await pending)));
  const items = [];
  for (const [page, [, score, matched]] of ranked) {
    const chunk = pageFiles.get(Math.floor(page / settings.chunk));
    const doc = chunk && chunk[page % settings.chunk];
    if (!doc) { continue; }
    const [location, title, text] = doc;
    const shown = terms.filter((term) => matched.has(term));
    // Material escapes these itself when it lists the words a result lacks.
    const marks = {};
    for (const term of terms) { marks[term] = matched.has(term); }
    items.push([{
      location: location,
      title: highlight(title, shown),
      text: highlight(text, shown),
      score: score,
      terms: marks,
    }]);
  }
  return { items: items, total: matching.length };
}

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === SETUP) {
    const config = message.data.config || {};
    settings = config.rollbook;
    if (config.separator) { separator = new RegExp(config.separator); }
    split = new Set((settings && settings.split) || []);
    self.postMessage({ type: READY });
  } else if (message.type === QUERY) {
    const mine = ++latest;
    let data;
    try {
      // Material sends a query per key typed: wait for a pause in the typing, so that a
      // phone on a poor network fetches files for what the reader means, not for every
      // letter on the way.
      await new Promise((resolve) => setTimeout(resolve, PAUSE));
      if (mine !== latest) { return; }
      data = settings
        ? await search(message.data, () => mine !== latest)
        : { items: [], total: 0, note: "unavailable" };
    } catch (error) {
      // Offline and never searched for this word before: say so rather than a hang, or
      // "no matching documents" when there may well be some.
      data = { items: [], total: 0, note: "unavailable" };
    }
    // A slower, older query must not replace the results of the one typed after it.
    if (mine === latest) { self.postMessage({ type: RESULT, data: data }); }
  }
});
