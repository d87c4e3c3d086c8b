// dubsubs review page. Reads the JSON embedded in #review-data and builds everything
// with textContent and DOM calls: no data ever goes through innerHTML.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("review-data").textContent);
  var video = byId("player");
  var list = byId("cue-list");
  var filterSelect = byId("filter");
  var BLOCK = 50;             // rows per block of the cue list
  var PALETTE = ["#ffd166", "#4cc9f0", "#f78c6b", "#95d5b2", "#c77dff", "#ff8fab",
                 "#a8dadc", "#e9c46a", "#80ed99", "#ffadad", "#bdb2ff", "#fdffb6"];
  var STRUCTURAL = { empty: 1, inverted: 1, order: 1, overlap: 1 };
  var BELOW = { "min-gap": 1, "min-duration": 1, "small-gap": 1 };

  var state = {
    track: -1,            // index into data.tracks
    cues: [],             // the current track's cues: [start, end, speaker, text]
    findings: [],         // per cue: array of findings or undefined
    byStart: [],          // cue indexes sorted by start time
    view: [],             // the cues the filter lets through, in file order
    position: null,       // cue index -> its place in view (-1: filtered out)
    blocks: [],           // the list's blocks: {el, from, to, estimate, filled}
    rows: [],             // built <li> per cue index
    active: -1,
    filter: "all",
    lastTime: 0,
    syncing: false
  };
  var textTracks = [];
  var marks = { readyAt: null, completeAt: null };
  window.dubsubsReview = marks;

  function byId(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function colour(i) {
    return i < PALETTE.length ? PALETTE[i] : "hsl(" + Math.round((i * 137.508) % 360) + " 70% 68%)";
  }

  function clock(ms) {
    var neg = ms < 0;
    ms = Math.abs(Math.round(ms));
    var h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    var rest = ms % 1000;
    return (neg ? "-" : "") + pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(rest, 3);
  }

  function pad(n, w) { var t = String(n); while (t.length < w) { t = "0" + t; } return t; }

  function size(bytes) {
    if (bytes === null || bytes === undefined) { return "?"; }
    if (bytes >= 1e9) { return (bytes / 1e9).toFixed(2) + " GB"; }
    if (bytes >= 1e6) { return (bytes / 1e6).toFixed(1) + " MB"; }
    if (bytes >= 1e3) { return (bytes / 1e3).toFixed(1) + " kB"; }
    return bytes + " B";
  }

  function escapeCueText(text) {
    // VTTCue text is WebVTT cue text: escape it so that it shows as written.
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function describeFinding(f) {
    var rule = f[1], measured = f[2], limit = f[3], unit = f[4] ? " " + f[4] : "";
    if (STRUCTURAL[rule]) { return rule + (rule === "empty" ? "" : ": " + measured + unit); }
    return rule + ": " + measured + unit + (BELOW[rule] ? " < " : " > ") + limit + unit;
  }

  // ------------------------------------------------------------------ speakers

  function installSpeakerStyles() {
    var rules = [];
    for (var i = 0; i < data.speakers.length; i++) {
      rules.push(".spk-" + i + " { --spk: " + colour(i) + "; }");
      rules.push("::cue(.s" + i + ") { color: " + colour(i) + "; }");
    }
    var style = document.createElement("style");
    style.textContent = rules.join("\n");
    document.head.appendChild(style);
  }

  function renderLegend() {
    var legend = byId("legend");
    clear(legend);
    var used = {};
    state.cues.forEach(function (c) { used[c[2]] = true; });
    data.speakers.forEach(function (name, i) {
      var item = el("span", "spk-" + i, name);
      if (!used[i]) { item.classList.add("muted"); item.title = "not in this language"; }
      legend.appendChild(item);
    });
    if (!data.speakers.length) { legend.appendChild(el("span", "muted", "No speakers named in the subtitles.")); }
  }

  // ------------------------------------------------------------------ text tracks

  function cueText(cue, withName) {
    var text = escapeCueText(cue[3]);
    if (withName && cue[2] >= 0) {
      text = "<c.s" + cue[2] + ">" + escapeCueText(data.speakers[cue[2]]) + ":</c> " + text;
    }
    return text;
  }

  function buildTrack(k) {
    var t = data.tracks[k];
    var track = video.addTextTrack("subtitles", t.label, t.language || "");
    track.mode = "hidden";  // a disabled track has no cue list to read
    var withName = byId("show-names").checked;
    for (var i = 0; i < t.cues.length; i++) {
      var c = t.cues[i];
      var start = Math.max(0, c[0]) / 1000;
      var cue = new VTTCue(start, Math.max(start, c[1] / 1000), cueText(c, withName));
      cue.id = String(i + 1);
      track.addCue(cue);
    }
    textTracks[k] = track;
  }

  function relabelTracks() {
    var withName = byId("show-names").checked;
    textTracks.forEach(function (track, k) {
      if (!track || !track.cues) { return; }
      var cues = data.tracks[k].cues;
      for (var i = 0; i < track.cues.length; i++) {
        var cue = track.cues[i];
        cue.text = cueText(cues[Number(cue.id) - 1], withName);
      }
    });
  }

  function showTrack() {
    var on = byId("show-subtitles").checked;
    state.syncing = true;
    textTracks.forEach(function (track, k) {
      if (track) { track.mode = (k === state.track && on) ? "showing" : "hidden"; }
    });
    state.syncing = false;
  }

  // ------------------------------------------------------------------ cue list

  function makeRow(i) {
    var c = state.cues[i];
    var row = el("li", "cue");
    row.dataset.i = String(i);
    var spk = c[2] >= 0 ? data.speakers[c[2]] : "";
    if (c[2] >= 0) { row.classList.add("spk-" + c[2]); }
    row.appendChild(el("span", "n", "#" + (i + 1)));
    var time = el("time", null, clock(c[0]) + " → " + clock(c[1]));
    row.appendChild(time);
    row.appendChild(el("span", "spk", spk));
    row.appendChild(el("div", "txt", c[3]));
    var found = state.findings[i];
    if (found) {
      var flags = el("ul", "fnd");
      var worst = "warning";
      found.forEach(function (f) {
        var item = el("li", f[5], describeFinding(f));
        item.title = f[5] + " (" + data.tracks[state.track].check.preset + ")";
        flags.appendChild(item);
        if (f[5] === "error") { worst = "error"; }
      });
      row.classList.add("flagged", "flag-" + worst);
      row.appendChild(flags);
    }
    if (i === state.active) { row.classList.add("active"); }
    return row;
  }

  // The list is made of blocks of BLOCK rows. A block is an empty placeholder of about
  // its rows' height until it comes near the visible part of the list; then its rows are
  // built. So 20,000 cues cost 400 placeholders, not 120,000 elements laid out per frame.

  function estimateHeight(i) {
    var lines = 1, text = state.cues[i][3];
    for (var k = text.indexOf("\n"); k >= 0; k = text.indexOf("\n", k + 1)) { lines += 1; }
    return 30 + 20 * lines + (state.findings[i] ? 22 : 0);
  }

  function fillBlock(b) {
    var block = state.blocks[b];
    if (!block || block.filled) { return; }
    block.filled = true;
    var inner = el("ol", "rows");
    for (var k = block.from; k < block.to; k++) {
      var i = state.view[k];
      var row = makeRow(i);
      state.rows[i] = row;
      inner.appendChild(row);
    }
    block.el.appendChild(inner);
    block.el.style.height = "";
    block.el.style.containIntrinsicSize = "auto " + block.estimate + "px";
    block.el.classList.add("filled");
    if (observer) { observer.unobserve(block.el); }
  }

  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { fillBlock(Number(entry.target.dataset.b)); }
    });
  }, { root: list, rootMargin: "1200px 0px" }) : null;

  function buildList() {
    if (observer) { observer.disconnect(); }
    clear(list);
    state.rows = [];
    state.view = [];
    state.blocks = [];
    state.position = new Int32Array(state.cues.length).fill(-1);
    for (var i = 0; i < state.cues.length; i++) {
      if (passes(i)) { state.position[i] = state.view.length; state.view.push(i); }
    }
    var frag = document.createDocumentFragment();
    for (var from = 0; from < state.view.length; from += BLOCK) {
      var to = Math.min(from + BLOCK, state.view.length), estimate = 0;
      for (var k = from; k < to; k++) { estimate += estimateHeight(state.view[k]); }
      var node = el("li", "block");
      node.dataset.b = String(state.blocks.length);
      node.style.height = estimate + "px";
      state.blocks.push({ el: node, from: from, to: to, estimate: estimate, filled: false });
      frag.appendChild(node);
    }
    list.appendChild(frag);
    list.scrollTop = 0;
    fillBlock(0);
    fillBlock(1);
    if (observer) {
      state.blocks.forEach(function (block) { if (!block.filled) { observer.observe(block.el); } });
    } else {
      for (var b = 2; b < state.blocks.length; b++) { fillBlock(b); }
    }
    if (state.active >= 0 && state.rows[state.active]) {
      state.rows[state.active].classList.add("active");
    }
    updateCounts();
  }

  function rowFor(i) {
    // The row of cue i, built now if its block was not yet; null when filtered out.
    var k = state.position[i];
    if (k === undefined || k < 0) { return null; }
    fillBlock(Math.floor(k / BLOCK));
    return state.rows[i] || null;
  }

  // ------------------------------------------------------------------ filter

  function fillFilter() {
    var t = data.tracks[state.track];
    var counts = {}, flagged = 0;
    state.findings.forEach(function (found) {
      if (!found) { return; }
      flagged += 1;
      var seen = {};
      found.forEach(function (f) { if (!seen[f[1]]) { seen[f[1]] = 1; counts[f[1]] = (counts[f[1]] || 0) + 1; } });
    });
    clear(filterSelect);
    var all = el("option", null, "all cues (" + t.cues.length + ")");
    all.value = "all";
    filterSelect.appendChild(all);
    var only = el("option", null, "only cues with findings (" + flagged + ")");
    only.value = "flagged";
    filterSelect.appendChild(only);
    Object.keys(counts).sort().forEach(function (rule) {
      var option = el("option", null, rule + " (" + counts[rule] + ")");
      option.value = "rule:" + rule;
      filterSelect.appendChild(option);
    });
    if (state.filter.indexOf("rule:") === 0 && !counts[state.filter.slice(5)]) { state.filter = "flagged"; }
    filterSelect.value = state.filter;
    return flagged;
  }

  function passes(i) {
    if (state.filter === "all") { return true; }
    var found = state.findings[i];
    if (!found) { return false; }
    if (state.filter === "flagged") { return true; }
    var rule = state.filter.slice(5);
    return found.some(function (f) { return f[1] === rule; });
  }

  function updateCounts() {
    var shown = state.view.length, total = state.cues.length;
    byId("counts").textContent = shown === total ? total + " cues" : shown + " of " + total + " cues shown";
  }

  function setFilter(value) {
    state.filter = value;
    filterSelect.value = value;
    buildList();
    if (state.active >= 0) { keepInView(state.active); }
  }

  // ------------------------------------------------------------------ playback position

  function lastStartAtOrBefore(ms) {
    var lo = 0, hi = state.byStart.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (state.cues[state.byStart[mid]][0] <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function cueAt(ms) {
    var pos = lastStartAtOrBefore(ms);
    // Overlapping cues: the latest start that still covers ms wins.
    for (var k = pos; k >= 0 && k > pos - 32; k--) {
      var c = state.cues[state.byStart[k]];
      if (Math.max(0, c[0]) <= ms && ms < c[1]) { return state.byStart[k]; }
    }
    return -1;
  }

  function setActive(i) {
    if (i === state.active) { return; }
    var old = state.rows[state.active];
    if (old) { old.classList.remove("active"); old.removeAttribute("aria-current"); }
    state.active = i;
    if (i < 0) { return; }
    var row = rowFor(i);
    if (!row) { return; }
    row.classList.add("active");
    row.setAttribute("aria-current", "true");
    if (byId("follow").checked) { keepInView(i); }
  }

  function keepInView(i) {
    var row = state.rows[i];
    if (!row || row.offsetParent === null) { return; }
    var top = row.offsetTop;  // the list is the rows' offsetParent (position: relative)
    var bottom = top + row.offsetHeight;
    if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    }
  }

  function onTime() {
    state.lastTime = video.currentTime * 1000;
    setActive(cueAt(state.lastTime + 0.5));
  }

  function seekToCue(i) {
    var start = Math.max(0, state.cues[i][0]);
    video.currentTime = start / 1000;
    state.lastTime = start;
    setActive(i);
  }

  function step(direction) {
    var order = state.byStart;
    if (!order.length) { return; }
    var pos;
    if (state.active >= 0) {
      pos = order.indexOf(state.active);
    } else {
      pos = lastStartAtOrBefore(state.lastTime + 0.5);
      if (direction < 0 && pos >= 0 && state.cues[order[pos]][0] < state.lastTime - 0.5) { pos += 1; }
    }
    for (var k = pos + direction; k >= 0 && k < order.length; k += direction) {
      if (passes(order[k])) { seekToCue(order[k]); return; }
    }
  }

  function togglePlay() {
    if (video.paused) {
      var playing = video.play();
      if (playing && playing.catch) { playing.catch(function () { /* no media, or not allowed yet */ }); }
    } else {
      video.pause();
    }
  }

  // ------------------------------------------------------------------ panels

  function table(headers, rows, numeric) {
    var tbl = el("table");
    var head = el("tr");
    headers.forEach(function (h, i) { head.appendChild(el("th", numeric && numeric[i] ? "num" : null, h)); });
    tbl.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (cell, i) {
        var td = el("td", numeric && numeric[i] ? "num" : null);
        if (cell instanceof Node) { td.appendChild(cell); } else { td.textContent = cell === null || cell === undefined ? "" : String(cell); }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    tbl.appendChild(body);
    return tbl;
  }

  function cueLink(i) {
    var button = el("button", "link", "cue " + (i + 1));
    button.type = "button";
    button.addEventListener("click", function () { seekToCue(i); button.blur(); });
    return button;
  }

  function renderQc(flagged) {
    var t = data.tracks[state.track], box = byId("qc");
    clear(box);
    var check = t.check;
    box.appendChild(el("p", null, "Preset " + check.description));
    box.appendChild(el("p", check.errors ? "" : "muted", check.summary));
    var badge = byId("qc-badge");
    badge.textContent = check.errors + " errors, " + check.warnings + " warnings";
    badge.classList.toggle("bad", check.errors > 0);
    var byRule = {};
    t.findings.forEach(function (f) {
      var r = byRule[f[1]] || (byRule[f[1]] = { rule: f[1], severity: f[5], count: 0, first: f[0] });
      r.count += 1;
    });
    var rules = Object.keys(byRule).sort();
    if (!rules.length) {
      box.appendChild(el("p", "muted", "No findings for this preset."));
      return;
    }
    box.appendChild(table(["rule", "severity", "cues", "first", ""], rules.map(function (rule) {
      var r = byRule[rule];
      var show = el("button", "link", "show only these");
      show.type = "button";
      show.addEventListener("click", function () { setFilter("rule:" + rule); });
      return [rule, r.severity, r.count, cueLink(r.first), show];
    }), [false, false, true, false, false]));
    var onlyFlagged = el("button", "link", "Show only the " + flagged + " cues with findings");
    onlyFlagged.type = "button";
    onlyFlagged.addEventListener("click", function () { setFilter("flagged"); });
    box.appendChild(onlyFlagged);
  }

  function renderTiming() {
    var t = data.tracks[state.track], box = byId("timing");
    clear(box);
    var timing = t.timing;
    if (!timing) {
      box.appendChild(el("p", "muted", "No timing decision recorded for " + t.file + " (no manifest)."));
    } else {
      var how = { auto: "decided from evidence", given: "as given (--units)", format: "the format's own timestamps" };
      var unit = { s: "seconds", ms: "milliseconds" };
      var conf = typeof timing.confidence === "number" ? Math.round(timing.confidence * 100) + "% confident" : "";
      box.appendChild(el("p", null, "Source times read as " + (unit[timing.units] || timing.units) + ", " +
        (how[timing.method] || timing.method) + (conf ? ", " + conf : "") + " (from " + timing.source + ")."));
      if (timing.summary) { box.appendChild(el("p", "muted", timing.summary)); }
      if (timing.evidence && timing.evidence.length) {
        box.appendChild(table(["evidence", "score", "favours", "detail"], timing.evidence.map(function (e) {
          return [e.kind, typeof e.score === "number" ? e.score.toFixed(2) : "", e.favours || "—", e.detail];
        }), [false, true, false, false]));
      }
      (timing.notes || []).forEach(function (note) { box.appendChild(el("p", "muted", "Note: " + note)); });
    }
    if (t.style) { box.appendChild(el("p", null, t.style)); }
    if (t.repairs.length) {
      box.appendChild(el("h4", null, t.repairs.length + " repaired items"));
      box.appendChild(table(["item", "repair", "detail", "cue"], t.repairs.map(function (r) {
        return [r.item, r.kind, r.detail, r.cue === null ? "—" : cueLink(r.cue)];
      }), [true, false, false, false]));
      if (t.repairs_note) { box.appendChild(el("p", "muted", "Not linked to cues: " + t.repairs_note + ".")); }
    } else if (timing) {
      box.appendChild(el("p", "muted", "No repairs."));
    }
  }

  function renderFiles() {
    var box = byId("files");
    clear(box);
    if (!data.files.length) { box.appendChild(el("p", "muted", "No files listed.")); return; }
    box.appendChild(table(["file", "role", "language", "size"], data.files.map(function (f) {
      var name;
      if (f.missing) {
        name = el("span", null, f.name + " (missing)");
      } else {
        name = el("a", null, f.name);
        name.setAttribute("href", f.href);
      }
      return [name, f.role, f.language || "", size(f.size)];
    }), [false, false, false, true]));
  }

  function renderWarnings() {
    var box = byId("warnings");
    clear(box);
    var items = [];
    data.errors.forEach(function (e) { items.push(["error", e]); });
    data.warnings.forEach(function (w) { items.push(["warning", w]); });
    data.notes.forEach(function (n) { items.push(["note", n]); });
    var badge = byId("warnings-badge");
    badge.textContent = String(data.errors.length + data.warnings.length + data.notes.length);
    badge.classList.toggle("bad", data.errors.length > 0);
    if (!items.length) { box.appendChild(el("p", "muted", "None.")); return; }
    var ul = el("ul");
    items.forEach(function (it) { ul.appendChild(el("li", null, it[0] + ": " + it[1])); });
    box.appendChild(ul);
    if (data.errors.length) { byId("warnings-panel").open = true; }
  }

  // ------------------------------------------------------------------ language

  function setMedia(media) {
    var noMedia = byId("no-media");
    var wanted = media ? media.src : null;
    noMedia.hidden = !!media;
    video.classList.toggle("audio-only", !!media && media.kind === "audio");
    if ((video.getAttribute("src") || null) === wanted) { return; }
    var at = state.lastTime, playing = !video.paused;
    if (wanted) {
      video.setAttribute("src", wanted);
    } else {
      video.removeAttribute("src");
      video.load();
    }
    if (at > 0) { video.currentTime = at / 1000; }
    if (playing && wanted) { togglePlay(); }
  }

  function selectTrack(k) {
    var t = data.tracks[k];
    state.track = k;
    state.cues = t.cues;
    state.findings = new Array(t.cues.length);
    t.findings.forEach(function (f) {
      (state.findings[f[0]] || (state.findings[f[0]] = [])).push(f);
    });
    state.byStart = t.cues.map(function (_, i) { return i; });
    state.byStart.sort(function (a, b) { return t.cues[a][0] - t.cues[b][0] || a - b; });
    state.active = -1;
    byId("language").value = String(k);
    if (!textTracks[k]) { buildTrack(k); }
    showTrack();
    setMedia(t.media);
    var flagged = fillFilter();
    buildList();
    renderLegend();
    renderQc(flagged);
    renderTiming();
    setActive(cueAt(state.lastTime + 0.5));
    setTimeout(finish, 0);
  }

  function finish() {
    // Once the first language is on screen: the other languages' tracks, then "complete".
    if (marks.completeAt !== null) { return; }
    for (var k = 0; k < data.tracks.length; k++) { if (!textTracks[k]) { buildTrack(k); } }
    showTrack();
    marks.completeAt = performance.now();
    document.documentElement.setAttribute("data-complete", "");
  }

  // ------------------------------------------------------------------ start

  function start() {
    document.title = data.title + " · dubsubs review";
    byId("title").textContent = data.title;
    var meta = [data.generator];
    if (data.status) { meta.push("status " + data.status); }
    meta.push("QC preset " + data.preset);
    byId("meta").textContent = meta.join(" · ");
    installSpeakerStyles();
    var select = byId("language");
    data.tracks.forEach(function (t, k) {
      var option = el("option", null, t.label + " · " + t.cues.length + " cues");
      option.value = String(k);
      select.appendChild(option);
    });
    select.disabled = data.tracks.length < 2;
    renderFiles();
    renderWarnings();

    select.addEventListener("change", function () { selectTrack(Number(select.value)); });
    filterSelect.addEventListener("change", function () { setFilter(filterSelect.value); });
    byId("show-subtitles").addEventListener("change", showTrack);
    byId("show-names").addEventListener("change", relabelTracks);
    list.addEventListener("click", function (event) {
      var row = event.target.closest ? event.target.closest("li.cue") : null;
      if (row && list.contains(row)) { seekToCue(Number(row.dataset.i)); }
    });
    ["timeupdate", "seeked", "seeking"].forEach(function (name) { video.addEventListener(name, onTime); });
    video.addEventListener("play", function tick() {
      // timeupdate fires about 4 times a second; follow cue changes frame by frame.
      if (video.paused || video.ended) { return; }
      onTime();
      requestAnimationFrame(tick);
    });
    video.textTracks.addEventListener("change", function () {
      if (state.syncing) { return; }
      var showing = textTracks.indexOf(Array.prototype.find.call(video.textTracks, function (tt) {
        return tt.mode === "showing";
      }));
      if (showing >= 0 && showing !== state.track) {
        selectTrack(showing);
      } else if (showing < 0) {
        byId("show-subtitles").checked = false;
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
      var tag = event.target && event.target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || tag === "BUTTON" || tag === "A") { return; }
      if (event.key === " " || event.key === "Spacebar") {
        togglePlay();
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        step(-1);
      } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        step(1);
      } else {
        return;
      }
      event.preventDefault();
    }, true);

    selectTrack(0);
    marks.readyAt = performance.now();
    document.documentElement.setAttribute("data-ready", "");
  }

  start();
}());
