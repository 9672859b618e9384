/* rollbook's search worker, in place of Material's (Material lets a site bring its own: it
   talks to the worker through four messages, SETUP, READY, QUERY and RESULT).

   Material's worker needs the whole index before the first search: megabytes at 10,000
   runbooks. This one reads a split index (see rollbook/site/search.py): for each word of the
   query, the small file of index words sharing its first two characters (or more, where a
   big site has many such words); then the page files holding the results it shows, once the
   reader pauses typing. Files are fetched once per page view and kept in memory; the
   service worker keeps them for offline use.

   Titles and text come from runbooks and may be hostile: Material puts what this worker
   returns into the page as HTML, so every piece of it is escaped here. */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
// The site root: this script is assets/rollbook/search.js.
const ROOT = new URL("../../", self.location.href);
const PLAIN = /^[a-z0-9]$/;
const PAUSE = 300; // milliseconds

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

// The term file of a word: as rollbook.site.search writes them. Words are filed under their
// first two characters, and a big file is split by one more character (the site lists the
// split prefixes); a split prefix's own file holds only the words equal to it.
function termFile(term) {
  const chars = Array.from(term);
  let length = Math.min(2, chars.length);
  while (length < chars.length && split.has(chars.slice(0, length).join(""))) { length += 1; }
  return chars.slice(0, length).map((c) => (
    PLAIN.test(c) ? c : "_" + c.codePointAt(0).toString(16) + "_"
  )).join("");
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

// The text with every word that starts with a query term marked, escaped piece by piece.
function highlight(text, terms) {
  const pieces = String(text).split(new RegExp("(" + separator.source + ")"));
  return pieces.map((piece, i) => {
    const safe = escapeHtml(piece);
    const lower = piece.toLowerCase();
    const hit = i % 2 === 0 && piece && terms.some((term) => lower.startsWith(term));
    return hit ? "<mark>" + safe + "</mark>" : safe;
  }).join("");
}

async function search(query, stale) {
  // Query syntax Material's lunr search understands (+word, -word, word*, word~1) is read as
  // plain words here.
  const terms = [...new Set(words(query.replace(/[*+~^]/g, " ")))];
  if (!terms.length) { return { items: [] }; }
  const shards = await Promise.all(terms.map((term) => load("t/" + termFile(term) + ".json")));
  // page number -> [terms found, score]
  const found = new Map();
  terms.forEach((term, t) => {
    const best = new Map();
    for (const [word, entries] of Object.entries(shards[t] || {})) {
      if (!word.startsWith(term)) { continue; }
      const exact = word === term ? 2 : 1;
      let entry = 0;
      for (const gap of entries) {
        entry += gap;
        const page = entry >> 1;
        const score = exact + (entry & 1);
        if ((best.get(page) || 0) < score) { best.set(page, score); }
      }
    }
    for (const [page, score] of best) {
      const hit = found.get(page) || [0, 0, new Set()];
      hit[0] += 1; hit[1] += score; hit[2].add(term);
      found.set(page, hit);
    }
  });
  if (!found.size || stale()) { return { items: [] }; }
  // Pages with the most query words first (the others say which words they lack), then the
  // best matches, then page order.
  const most = Math.max(...[...found.values()].map((hit) => hit[0]));
  const ranked = [...found.entries()]
    .filter(([, hit]) => hit[0] === most)
    .sort((a, b) => (b[1][1] - a[1][1]) || (a[0] - b[0]))
    .slice(0, settings.results);
  const chunks = new Map();
  for (const [page] of ranked) {
    const n = Math.floor(page / settings.chunk);
    if (!chunks.has(n)) { chunks.set(n, load("d/" + n + ".json")); }
  }
  const loaded = new Map();
  await Promise.all([...chunks].map(async ([n, pending]) => loaded.set(n, await pending)));
  const items = [];
  for (const [page, [, score, matched]] of ranked) {
    const chunk = loaded.get(Math.floor(page / settings.chunk));
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
  return { items: items };
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
      data = settings ? await search(message.data, () => mine !== latest) : { items: [] };
    } catch (error) {
      // Offline and never searched for this word before: no results rather than a hang.
      data = { items: [] };
    }
    // A slower, older query must not replace the results of the one typed after it.
    if (mine === latest) { self.postMessage({ type: RESULT, data: data }); }
  }
});
