/*
 * minidfs NameNode UI: plain browser JavaScript, no build step, no external resources.
 *
 * One EventSource on /api/stream feeds everything: `snapshot` frames (DataNodes, fsck summary,
 * heartbeat history; every ~500 ms) redraw the summary, the table and the timeline; `events`
 * frames prepend to the event log. The heartbeat strips are re-drawn between snapshots from the
 * last one plus the time elapsed since it arrived, so they scroll smoothly. Times in events are
 * NameNode milliseconds since the epoch, shown in the browser's local time.
 */
(function () {
  'use strict';

  /** Events kept in the page (older ones drop off the bottom). */
  var MAX_EVENTS_SHOWN = 500;
  /** Strip redraws per second between snapshots. */
  var TIMELINE_FPS = 15;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var STRIP_WIDTH = 1000;
  var STRIP_HEIGHT = 22;

  var state = {
    snapshot: null,
    snapshotAt: 0,
    clusterId: null,
    events: [],
    maxSeq: 0,
    filter: 'all',
    source: null,
    view: 'overview',
  };

  function $(sel, root) { return (root || document).querySelector(sel); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---------- formatting ----------
  function fmtBytes(n) {
    if (!(n >= 0)) return '–';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)) + ' ' + units[i];
  }
  function fmtSeconds(ms) {
    if (!(ms >= 0)) return '–';
    var s = ms / 1000;
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return Math.round(s / 3600) + ' h';
  }
  function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }
  function fmtTime(ms) {
    var d = new Date(ms);
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' + pad(d.getMilliseconds(), 3);
  }
  function fmtDate(ms) {
    var d = new Date(ms);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1, 2) + '-' + pad(d.getDate(), 2) + ' ' + fmtTime(ms).slice(0, 8);
  }
  function byNodeId(a, b) { return String(a.id).localeCompare(String(b.id), undefined, { numeric: true }); }

  // ---------- connection ----------
  function setConnection(kind, text) {
    var c = $('#connection');
    c.className = 'conn conn-' + kind;
    $('#connection-text').textContent = text;
  }

  function connect() {
    if (state.source) state.source.close();
    var source = new EventSource('/api/stream');
    state.source = source;
    setConnection('connecting', 'connecting');
    source.addEventListener('open', function () { setConnection('live', 'live'); });
    source.addEventListener('error', function () {
      setConnection(source.readyState === EventSource.CLOSED ? 'down' : 'connecting', source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    });
    source.addEventListener('snapshot', function (m) { onSnapshot(JSON.parse(m.data)); });
    source.addEventListener('events', function (m) { onEvents(JSON.parse(m.data)); });
  }

  // ---------- snapshot ----------
  function onSnapshot(s) {
    // A NameNode restart starts its event sequence again: start the log afresh.
    if ((state.clusterId !== null && s.clusterId !== state.clusterId) || s.lastEventSeq < state.maxSeq) resetEvents();
    state.clusterId = s.clusterId;
    state.snapshot = s;
    state.snapshotAt = performance.now();
    setConnection('live', 'live');
    renderSummary(s);
    renderDatanodes(s);
    renderTimeline();
    $('#cluster-id').textContent = s.clusterId ? 'cluster ' + s.clusterId : '';
    var ha = $('#ha-role');
    ha.hidden = !s.ha;
    if (s.ha) {
      ha.textContent = s.ha.role + ' · epoch ' + s.ha.epoch;
      ha.className = 'pill ha-' + s.ha.role;
      ha.title = 'NameNode ' + s.ha.namenodeId + ' is ' + s.ha.role + (s.ha.role !== 'ACTIVE' && s.ha.activeAddress ? '; the active is ' + s.ha.activeAddress : '');
    }
    $('#updated').textContent = 'updated ' + fmtTime(s.atMs);
  }

  function setSummary(key, value, level) {
    var node = $('[data-summary="' + key + '"]');
    if (!node) return;
    node.textContent = String(value);
    node.classList.toggle('bad', level === 'bad');
    node.classList.toggle('warn', level === 'warn');
  }

  function renderSummary(s) {
    var d = s.datanodes;
    setSummary('live', d.live);
    setSummary('stale', d.stale);
    setSummary('dead', d.dead);
    setSummary('unreachable', d.unreachable || 0, d.unreachable > 0 ? 'warn' : '');
    var f = s.fsck || {};
    var ok = typeof f.files === 'number';
    setSummary('files', ok ? f.files : '–');
    setSummary('blocks', ok ? f.blocks : '–');
    setSummary('underReplicated', ok ? f.underReplicated : '–', ok && f.underReplicated > 0 ? 'warn' : '');
    setSummary('missing', ok ? f.missing : '–', ok && f.missing > 0 ? 'bad' : '');
    setSummary('corrupt', ok ? f.corrupt : '–', ok && f.corrupt > 0 ? 'bad' : '');
    setSummary('misReplicated', ok ? (f.misReplicated || 0) : '–', ok && f.misReplicated > 0 ? 'warn' : '');
    setSummary('pendingReplications', ok ? f.pendingReplications : '–', ok && f.pendingReplications > 0 ? 'warn' : '');
    setSummary('openForWrite', ok ? (f.openForWrite || 0) : '–');
    // Each open file's writer (lease holder) and lease age, on hover.
    var openCard = $('[data-summary="openForWrite"]');
    if (openCard) {
      openCard.parentNode.title = (f.openFileLeases || []).map(function (o) {
        return o.path + ' \u2190 ' + o.holder + ' (lease renewed ' + (o.leaseAgeMs / 1000).toFixed(1) + ' s ago)';
      }).join('\n') || 'no file open for write';
    }
    setSummary('safeMode', d.safeMode ? 'ON' : 'off', d.safeMode ? 'warn' : '');
    $('#safe-mode').hidden = !d.safeMode;
    var l = s.liveness;
    if (l) {
      $('#liveness-config').textContent = 'heartbeat every ' + l.heartbeatIntervalMs + ' ms · STALE after ' + l.staleAfterMissed +
        ' missed · DEAD after ' + l.deadAfterMissed + ' missed';
    }
  }

  function renderDatanodes(s) {
    var tbody = $('#datanodes tbody');
    var nodes = s.datanodes.datanodes.slice().sort(byNodeId);
    $('#datanodes-empty').hidden = nodes.length > 0;
    var existing = {};
    Array.prototype.forEach.call(tbody.rows, function (r) { existing[r.dataset.node] = r; });
    nodes.forEach(function (n, i) {
      var row = existing[n.id];
      if (!row) {
        row = el('tr');
        row.dataset.node = n.id;
        ['id', 'address', 'state', 'lastContact', 'missedBeats', 'blocks', 'usage'].forEach(function (f) {
          var td = el('td');
          td.dataset.field = f;
          if (f === 'lastContact' || f === 'missedBeats' || f === 'blocks') td.className = 'num';
          if (f === 'state') td.className = 'state-cell';
          row.appendChild(td);
        });
        var usage = el('div', 'usage');
        var bar = el('div', 'bar');
        bar.appendChild(el('span'));
        usage.appendChild(bar);
        usage.appendChild(el('span', 'text'));
        row.cells[6].appendChild(usage);
        row.cells[0].appendChild(el('strong'));
        row.cells[2].appendChild(el('span', 'badge'));
        row.cells[2].appendChild(el('span', 'badge admin-badge'));
      }
      delete existing[n.id];
      if (tbody.rows[i] !== row) tbody.insertBefore(row, tbody.rows[i] || null);
      row.dataset.state = n.state;
      row.className = 'row-' + n.state.toLowerCase();
      row.cells[0].firstChild.textContent = n.id;
      row.cells[1].textContent = n.address;
      row.cells[1].className = 'mono';
      var badge = row.cells[2].firstChild;
      badge.textContent = n.state;
      badge.className = 'badge badge-' + n.state;
      // The operator's admin state (decommission / maintenance), shown when not NORMAL.
      var admin = row.cells[2].childNodes[1];
      var adminState = n.adminState || 'NORMAL';
      admin.hidden = adminState === 'NORMAL';
      // Empty when NORMAL: a hidden badge's text would still be part of the state cell's text.
      admin.textContent = adminState === 'NORMAL' ? '' : adminState + (n.maintenanceExpiresInMs !== undefined ? ' · ' + fmtSeconds(n.maintenanceExpiresInMs) + ' left' : '');
      admin.className = 'badge admin-badge admin-' + adminState;
      admin.title = adminState === 'DECOMMISSIONING' ? 'draining: its blocks are being replicated elsewhere'
        : adminState === 'DECOMMISSIONED' ? 'drained: every block it holds is fully replicated elsewhere; safe to remove'
          : adminState === 'ENTERING_MAINTENANCE' ? 'waiting for its blocks to have enough replicas elsewhere'
            : adminState === 'IN_MAINTENANCE' ? 'in maintenance: if it goes silent, nothing is re-replicated until the window ends' : '';
      row.cells[3].textContent = fmtSeconds(n.lastHeartbeatMsAgo);
      row.cells[4].textContent = String(n.missedBeats);
      row.cells[5].textContent = String(n.blocks);
      var used = n.usedBytes || 0, cap = n.capacityBytes || 0;
      var frac = cap > 0 ? Math.min(1, used / cap) : 0;
      var bar2 = row.cells[6].querySelector('.bar');
      bar2.className = 'bar' + (frac >= 0.95 ? ' full' : frac >= 0.8 ? ' high' : '');
      bar2.firstChild.style.width = Math.max(frac > 0 ? 0.5 : 0, frac * 100).toFixed(2) + '%';
      row.cells[6].querySelector('.text').textContent = fmtBytes(used) + ' / ' + fmtBytes(cap) + (cap > 0 ? ' (' + (frac * 100).toFixed(frac < 0.1 ? 2 : 1) + '%)' : '');
      row.title = n.id + ' in rack ' + (n.rack || 'default') + ', ' + fmtBytes(n.remainingBytes) + ' free';
    });
    Object.keys(existing).forEach(function (id) { existing[id].remove(); });
  }

  // ---------- heartbeat timeline ----------
  function renderTimeline() {
    var s = state.snapshot;
    var box = $('#timeline');
    if (!s || !s.heartbeats || !s.liveness) { box.textContent = ''; return; }
    var hb = s.heartbeats;
    var interval = hb.heartbeatIntervalMs;
    var windowMs = hb.beatsPerNode * interval;
    var staleMs = s.liveness.staleAfterMissed * interval;
    var deadMs = s.liveness.deadAfterMissed * interval;
    var elapsed = Math.max(0, performance.now() - state.snapshotAt);
    $('#timeline-window').textContent = 'last ' + fmtSeconds(windowMs) + ' (' + hb.beatsPerNode + ' beats at ' + interval + ' ms)';
    var states = {};
    s.datanodes.datanodes.forEach(function (n) { states[n.id] = n.state; });
    var nodes = hb.nodes.slice().sort(byNodeId);

    var rows = {};
    Array.prototype.forEach.call(box.querySelectorAll('.tl-row'), function (r) { rows[r.dataset.node] = r; });
    nodes.forEach(function (n, i) {
      var row = rows[n.id];
      if (!row) {
        row = el('div', 'tl-row');
        row.dataset.node = n.id;
        row.appendChild(el('div', 'tl-name', n.id));
        var svg = document.createElementNS(SVG_NS, 'svg');
        svg.setAttribute('viewBox', '0 0 ' + STRIP_WIDTH + ' ' + STRIP_HEIGHT);
        svg.setAttribute('preserveAspectRatio', 'none');
        svg.setAttribute('role', 'img');
        row.appendChild(svg);
        row.appendChild(el('div', 'tl-last'));
      }
      delete rows[n.id];
      var children = box.querySelectorAll('.tl-row');
      if (children[i] !== row) box.insertBefore(row, children[i] || box.querySelector('.tl-axis'));
      var nodeState = states[n.id] || 'DEAD';
      row.className = 'tl-row state-' + nodeState;
      drawStrip(row.querySelector('svg'), n.msAgo, elapsed, windowMs, staleMs, deadMs, nodeState);
      row.querySelector('svg').setAttribute('aria-label', n.id + ': ' + n.msAgo.length + ' recent heartbeats');
      row.querySelector('.tl-last').textContent = n.msAgo.length ? fmtSeconds(n.msAgo[0] + elapsed) : 'none';
    });
    Object.keys(rows).forEach(function (id) { rows[id].remove(); });

    var axis = box.querySelector('.tl-axis');
    if (!axis) {
      axis = el('div', 'tl-axis');
      axis.appendChild(el('span'));
      var ticks = el('div');
      ticks.appendChild(el('span'));
      ticks.appendChild(el('span'));
      ticks.appendChild(el('span', '', 'now'));
      axis.appendChild(ticks);
      axis.appendChild(el('span', '', 'last beat'));
      box.appendChild(axis);
    }
    var t = axis.children[1].children;
    t[0].textContent = '−' + fmtSeconds(windowMs);
    t[1].textContent = '−' + fmtSeconds(windowMs / 2);
  }

  function rect(svg, x, w, y, h, fill, opacity) {
    var r = document.createElementNS(SVG_NS, 'rect');
    r.setAttribute('x', x.toFixed(2));
    r.setAttribute('y', String(y));
    r.setAttribute('width', Math.max(0, w).toFixed(2));
    r.setAttribute('height', String(h));
    r.setAttribute('fill', fill);
    if (opacity !== undefined) r.setAttribute('fill-opacity', String(opacity));
    svg.appendChild(r);
  }

  function drawStrip(svg, msAgo, elapsed, windowMs, staleMs, deadMs, nodeState) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var xOf = function (ago) { return STRIP_WIDTH * (1 - Math.min(ago, windowMs) / windowMs); };
    // Gaps first (bands), then beats on top. msAgo is newest first.
    var gap = function (newerAgo, olderAgo) {
      var len = olderAgo - newerAgo;
      if (len >= deadMs) rect(svg, xOf(olderAgo), xOf(newerAgo) - xOf(olderAgo), 0, STRIP_HEIGHT, '#cf222e', 0.28);
      else if (len >= staleMs) rect(svg, xOf(olderAgo), xOf(newerAgo) - xOf(olderAgo), 0, STRIP_HEIGHT, '#d4a72c', 0.4);
    };
    var ages = msAgo.map(function (a) { return a + elapsed; });
    if (ages.length === 0) {
      if (nodeState !== 'LIVE') rect(svg, 0, STRIP_WIDTH, 0, STRIP_HEIGHT, '#cf222e', 0.28);
      return;
    }
    // The silence since the last beat is coloured by the state the NameNode reports (between two
    // snapshots the page only extrapolates, and must not paint a LIVE node as late).
    if (nodeState === 'DEAD') rect(svg, xOf(ages[0]), STRIP_WIDTH - xOf(ages[0]), 0, STRIP_HEIGHT, '#cf222e', 0.28);
    else if (nodeState === 'STALE') rect(svg, xOf(ages[0]), STRIP_WIDTH - xOf(ages[0]), 0, STRIP_HEIGHT, '#d4a72c', 0.4);
    else if (nodeState === 'UNREACHABLE_FROM_NAMENODE') rect(svg, xOf(ages[0]), STRIP_WIDTH - xOf(ages[0]), 0, STRIP_HEIGHT, '#8250df', 0.3);
    for (var i = 0; i + 1 < ages.length; i++) gap(ages[i], ages[i + 1]);
    for (var j = 0; j < ages.length; j++) {
      if (ages[j] > windowMs) break;
      rect(svg, xOf(ages[j]) - 1.5, 3, 3, STRIP_HEIGHT - 6, '#2da44e');
    }
  }

  function timelineLoop() {
    var last = 0;
    function frame(now) {
      if (state.view === 'overview' && now - last >= 1000 / TIMELINE_FPS) {
        last = now;
        renderTimeline();
      }
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  }

  // ---------- events ----------
  function describe(e) {
    var blk = e.blockId !== undefined ? 'blk_' + e.blockId : '';
    switch (e.type) {
      case 'transition': {
        var move = e.from + ' → ' + e.to;
        var detail = e.reason + ' · missed ' + e.missedBeats + ' · ' + e.msSinceLastHeartbeat + ' ms since last heartbeat';
        if (e.from === 'NEW') return { group: 'liveness', kind: 'registered', cls: 'registered', what: e.nodeId + ' registered', detail: 'NEW → LIVE' };
        if (e.to === 'LIVE') {
          return { group: 'liveness', kind: 'revived', cls: 'revived', what: e.nodeId + ' ' + move,
            detail: e.from === 'DEAD' ? 're-registered' : detail };
        }
        if (e.to === 'STALE') return { group: 'liveness', kind: 'stale', cls: 'stale', what: e.nodeId + ' ' + move, detail: detail };
        if (e.to === 'UNREACHABLE_FROM_NAMENODE') {
          return { group: 'liveness', kind: 'unreachable', cls: 'unreachable', what: e.nodeId + ' ' + move,
            detail: detail + (e.reporters ? ' · peers hearing it: ' + e.reporters.join(', ') + ' (hosts ' + (e.reporterHosts || []).join(', ') + ')' : '') };
        }
        return { group: 'liveness', kind: 'dead', cls: 'dead', what: e.nodeId + ' ' + move, detail: detail };
      }
      case 'replication-queued':
        return { group: 'replication', kind: 'under-replicated', cls: 'replication', what: blk + ' queued for replication',
          detail: (e.live !== undefined ? e.live + '/' + e.expected + ' live replicas' : '') + (e.priority !== undefined ? ' · priority ' + e.priority : '') };
      case 'replication-scheduled':
        return { group: 'replication', kind: 'replication scheduled', cls: 'replication', what: blk + ' ' + e.sourceId + ' → ' + (e.targetIds || []).join(', '),
          detail: e.priority !== undefined ? 'priority ' + e.priority : '' };
      case 'replication-copied':
        return { group: 'replication', kind: 'replication finished', cls: 'replicated', what: blk + ' copied ' + (e.sourceId || '?') + ' → ' + e.targetId, detail: '' };
      case 'replication-timed-out':
        return { group: 'replication', kind: 'replication timed out', cls: 'stale', what: blk + ' from ' + e.sourceId,
          detail: (e.reason ? e.reason + ' · ' : '') + 'will be re-planned' };
      case 'replication-invalidated':
        return { group: 'replication', kind: 'invalidated', cls: '', what: blk + ' on ' + e.nodeId, detail: e.reason || '' };
      case 'corrupt-replica':
        return { group: 'replication', kind: 'corrupt', cls: 'corrupt', what: blk + ' on ' + e.nodeId, detail: e.reason || '' };
      case 'file-completed':
        return { group: 'namespace', kind: 'file', cls: '', what: e.path + ' completed', detail: e.blocks + ' block(s)' };
      case 'deleted':
        return { group: 'namespace', kind: 'deleted', cls: '', what: e.path, detail: e.blocks + ' block(s) invalidated' };
      case 'admin-transition':
        return { group: 'admin', kind: 'admin state', cls: e.to === 'NORMAL' ? 'registered' : 'stale', what: e.nodeId + ' ' + e.from + ' → ' + e.to,
          detail: e.reason + (e.blocks !== undefined ? ' · ' + e.blocks + ' block(s) held' : '') };
      case 'admin-maintenance-extended':
        return { group: 'admin', kind: 'maintenance', cls: '', what: e.nodeId + ' maintenance window moved', detail: '' };
      case 'safe-mode-on':
        return { group: 'namespace', kind: 'safe mode on', cls: 'stale', what: 'safe mode on', detail: e.reason === 'manual' ? 'entered by an operator' : (e.reason || '') };
      case 'safe-mode-off':
        return { group: 'namespace', kind: 'safe mode off', cls: e.missingBlocks ? 'stale' : 'registered', what: 'safe mode off',
          detail: e.reportedBlocks + '/' + e.totalBlocks + ' blocks reported' + (e.reason ? ' · ' + e.reason : '') + (e.missingBlocks ? ' · ' + e.missingBlocks + ' missing' : '') };
      default:
        return { group: 'other', kind: e.type, cls: '', what: e.nodeId || '', detail: '' };
    }
  }

  function eventItem(e, fresh) {
    var d = describe(e);
    var li = el('li', fresh ? 'fresh' : '');
    li.dataset.seq = e.seq;
    li.dataset.type = e.type;
    li.dataset.kind = d.kind;
    li.dataset.group = d.group;
    if (e.nodeId) li.dataset.node = e.nodeId;
    li.appendChild(el('span', 'time', fmtTime(e.atMs)));
    var what = el('span', 'what');
    what.appendChild(el('span', 'kind kind-' + (d.cls || 'other'), d.kind));
    what.appendChild(document.createTextNode(d.what));
    li.appendChild(what);
    if (d.detail) li.appendChild(el('span', 'detail', d.detail));
    return li;
  }

  function shown(e) { return state.filter === 'all' || describe(e).group === state.filter; }

  function onEvents(batch) {
    var list = $('#events');
    var fresh = state.events.length > 0;
    batch.forEach(function (e) {
      if (e.seq <= state.maxSeq) return;
      state.maxSeq = e.seq;
      state.events.push(e);
      if (shown(e)) list.insertBefore(eventItem(e, fresh), list.firstChild);
    });
    if (state.events.length > MAX_EVENTS_SHOWN) state.events.splice(0, state.events.length - MAX_EVENTS_SHOWN);
    while (list.children.length > MAX_EVENTS_SHOWN) list.removeChild(list.lastChild);
    $('#events-empty').hidden = list.children.length > 0;
  }

  function renderEvents() {
    var list = $('#events');
    list.textContent = '';
    for (var i = state.events.length - 1; i >= 0; i--) if (shown(state.events[i])) list.appendChild(eventItem(state.events[i], false));
    $('#events-empty').hidden = list.children.length > 0;
  }

  function resetEvents() {
    state.events = [];
    state.maxSeq = 0;
    renderEvents();
  }

  // ---------- file browser ----------
  function currentPath() {
    var m = /^#\/files(?:\?path=(.*))?$/.exec(location.hash);
    return m && m[1] ? decodeURIComponent(m[1]) : '/';
  }
  function filesHref(p) { return '#/files?path=' + encodeURIComponent(p); }

  function renderBreadcrumbs(p) {
    var nav = $('#breadcrumbs');
    nav.textContent = '';
    var parts = p.split('/').filter(Boolean);
    var root = el('a', '', '/');
    root.href = filesHref('/');
    nav.appendChild(root);
    var acc = '';
    parts.forEach(function (part, i) {
      acc += '/' + part;
      if (i > 0) nav.appendChild(el('span', 'muted', '/'));
      var a = el('a', '', part);
      a.href = filesHref(acc);
      nav.appendChild(a);
    });
  }

  // Directories are listed in pages (the NameNode's /api/files answers at most 1,000 entries and
  // says how many remain); "Load more" appends the next page after the last name shown.
  function loadFiles(startAfter) {
    var p = currentPath();
    var more = $('#files-more');
    var appending = typeof startAfter === 'string' && startAfter !== '';
    if (!appending) renderBreadcrumbs(p);
    var tbody = $('#files tbody');
    var msg = $('#files-message');
    var url = '/api/files?path=' + encodeURIComponent(p) + (appending ? '&startAfter=' + encodeURIComponent(startAfter) : '');
    fetch(url).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!appending) tbody.textContent = '';
      more.hidden = true;
      if (!res.ok) {
        $('#files').hidden = true;
        msg.hidden = false;
        msg.textContent = res.body.message || res.body.error || 'cannot list ' + p;
        $('#file-stat').hidden = true;
        return;
      }
      var b = res.body;
      $('#files').hidden = !b.isDirectory;
      if (!b.isDirectory) {
        showStat(b.entries[0]);
        renderBreadcrumbs(b.path);
        msg.hidden = true;
        return;
      }
      $('#file-stat').hidden = true;
      var entries = b.entries.slice().sort(function (x, y) {
        return (y.isDirectory - x.isDirectory) || x.path.localeCompare(y.path, undefined, { numeric: true });
      });
      if (b.remaining > 0 && b.nextStartAfter) {
        more.hidden = false;
        $('#files-remaining').textContent = b.remaining + ' more entries';
        $('#files-more-button').onclick = function () { loadFiles(b.nextStartAfter); };
      }
      if (!appending) {
        msg.hidden = entries.length > 0;
        msg.textContent = entries.length ? '' : 'This directory is empty.';
      }
      if (b.path !== '/' && !appending) {
        var up = el('tr');
        var td = el('td', 'name');
        var a = el('a', '', '..');
        a.href = filesHref(b.path.replace(/\/[^/]+$/, '') || '/');
        td.appendChild(a);
        up.appendChild(td);
        for (var k = 0; k < 6; k++) up.appendChild(el('td'));
        tbody.appendChild(up);
      }
      entries.forEach(function (f) {
        var tr = el('tr');
        tr.dataset.path = f.path;
        var name = el('td', 'name');
        name.appendChild(el('span', 'icon', f.isDirectory ? '▶' : ''));
        var link = el('a', '', f.path.split('/').pop() + (f.isDirectory ? '/' : ''));
        link.href = filesHref(f.path);
        name.appendChild(link);
        tr.appendChild(name);
        tr.appendChild(el('td', 'num', f.isDirectory ? '' : fmtBytes(f.lengthBytes)));
        tr.appendChild(el('td', 'num', f.isDirectory ? '' : f.replication));
        tr.appendChild(el('td', 'num', f.isDirectory ? '' : fmtBytes(f.blockSizeBytes)));
        tr.appendChild(el('td', 'num', f.isDirectory ? '' : f.blockCount));
        tr.appendChild(el('td', 'muted', f.modificationTimeMs ? fmtDate(f.modificationTimeMs) : ''));
        tr.appendChild(el('td', 'muted', f.isDirectory ? '' : f.complete ? '' : 'OPENFORWRITE'));
        tbody.appendChild(tr);
      });
    }).catch(function (err) {
      msg.hidden = false;
      msg.textContent = 'cannot list ' + p + ': ' + err;
    });
  }

  function showStat(f) {
    $('#file-stat').hidden = false;
    $('#file-stat-title').textContent = f.path;
    var dl = $('#file-stat-body');
    dl.textContent = '';
    var rows = [
      ['Size', fmtBytes(f.lengthBytes) + ' (' + f.lengthBytes + ' bytes)'], ['Replication', f.replication],
      ['Block size', fmtBytes(f.blockSizeBytes)], ['Blocks', f.blockCount], ['Complete', f.complete ? 'yes' : 'no: open for write (a writer is running, or died before completing it)'],
      ['Modified', f.modificationTimeMs ? fmtDate(f.modificationTimeMs) : '–'],
    ];
    rows.forEach(function (r) { dl.appendChild(el('dt', '', r[0])); dl.appendChild(el('dd', '', r[1])); });
    var dlLink = $('#file-download');
    var can = state.snapshot && state.snapshot.downloads && f.complete;
    dlLink.hidden = !can;
    if (can) dlLink.href = '/api/files/download?path=' + encodeURIComponent(f.path);
  }

  // ---------- routing ----------
  function route() {
    var files = /^#\/files/.test(location.hash);
    state.view = files ? 'files' : 'overview';
    $('#view-overview').hidden = files;
    $('#view-files').hidden = !files;
    Array.prototype.forEach.call(document.querySelectorAll('.topbar nav a[data-view]'), function (a) {
      a.classList.toggle('active', a.dataset.view === state.view);
    });
    if (files) loadFiles();
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('#event-filter').addEventListener('change', function (ev) { state.filter = ev.target.value; renderEvents(); });
    window.addEventListener('hashchange', route);
    route();
    connect();
    timelineLoop();
  });
})();
