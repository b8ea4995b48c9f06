/* netmon map: what each level of the map draws (Cytoscape elements) and how it is laid out.
 *
 * overview  the core, the PoPs in ring order, under each PoP its district as one box with
 *           reachable/total (collapsed); at national size one box per region (province)
 * region    one province: its core, PoPs and districts, as the overview of a province
 * district  its PoPs (and other districts' PoPs backing up its agencies), then its agencies
 *           in a grid per administrative level, cut-off ones first
 * agency    the agency, its devices, the PoPs it is cabled to and the core: its paths
 * Layouts are Cytoscape's own (grid with rows and columns, breadthfirst).
 */
"use strict";

(function (NM) {
  const W = NM.WORDS;
  const AGENCY_W = 176, AGENCY_H = 60;
  const FIT_ZOOM = 0.85; // the district grid is sized to fill the screen at this zoom

  function lines(text, width) {
    return Math.max(1, Math.ceil(String(text).length / width));
  }

  function deviceNode(model, id, extra) {
    const snap = model.snap;
    const d = snap._devices[id];
    const state = NM.deviceState(snap, d);
    const cut = model.causeCount.get("device:" + id) || 0;
    let label = model.name(id) + "\n" + id;
    if (state === "down") label += "\n✗ " + W.down;
    if (state === "isolated") label += "\n✗ " + W.isolated;
    if (cut) label += "\n✗ nguyên nhân: " + cut + " cơ quan";
    return {
      data: {
        id: "device:" + id, ref: id, kind: d.role === "core" ? "core" : "pop", state, cause: cut,
        label, w: 170, h: 16 + 15 * label.split("\n").reduce((n, l) => n + lines(l, 22), 0), ...extra,
      },
      classes: cut ? "cause" : "",
    };
  }

  function linkEdge(model, lk, source, target) {
    const snap = model.snap;
    const cut = model.causeCount.get("link:" + lk.id) || 0;
    const state = !snap.probed ? "design" : lk.status;
    return {
      data: {
        id: "link:" + lk.id, ref: lk.id, kind: "link", state, source, target, cause: cut,
        label: state === "down" ? "✗ " + lk.id + (cut ? " (" + cut + " cơ quan)" : "") : "",
      },
      classes: cut ? "cause" : "",
    };
  }

  function districtNode(model, g, extra) {
    const snap = model.snap;
    const c = model.coverage[g] || { reachable: 0, total: 0 };
    const state = NM.shareState(snap, c.reachable, c.total);
    let label = model.groups[g].name + "\n";
    label += snap.probed ? c.reachable + "/" + c.total + " cơ quan " + W.reachable : c.total + " cơ quan";
    if (snap.probed && c.total > c.reachable) label += "\n✗ " + (c.total - c.reachable) + " " + W.cut;
    return {
      data: {
        id: "district:" + g, ref: g, kind: "district", state, reachable: c.reachable, total: c.total,
        label, w: 215, h: 70, ...extra,
      },
    };
  }

  // The overview of a scope: all districts of a province, or those of one region.
  function scopeView(model, groupIds, coreIds) {
    const els = [];
    const inScope = new Set(groupIds);
    const pops = [];
    for (const g of groupIds) for (const p of model.popsOf.get(g) || []) pops.push([p, g]);
    const cols = Math.max(pops.length, groupIds.length, coreIds.length + model.snap.services.length, 1);
    const mid = Math.floor((cols - coreIds.length) / 2);
    coreIds.forEach((c, i) => els.push(deviceNode(model, c, { row: 0, col: mid + i })));
    if (coreIds === model.cores) {
      model.snap.services.forEach((s, i) => {
        const c = model.snap.coverage.by_service.find((x) => x.id === s.id) || { reachable: 0, total: 0 };
        const label = s.name + (model.snap.probed ? "\n" + c.reachable + "/" + c.total : "");
        const col = i < 1 ? Math.max(0, mid - 1 - i) : Math.min(cols - 1, mid + coreIds.length + i - 1);
        els.push({ data: { id: "service:" + s.id, kind: "service", state: NM.shareState(model.snap, c.reachable, c.total), label, w: 170, h: 46, row: 0, col } });
        for (const d of s.devices) if (coreIds.includes(d)) els.push({ data: { id: "svc:" + s.id + ":" + d, kind: "serves", source: "service:" + s.id, target: "device:" + d, state: "design" } });
      });
    }
    let col = 0;
    const placed = new Set();
    for (const g of groupIds) {
      const mine = model.popsOf.get(g) || [];
      const start = col;
      for (const p of mine) { els.push(deviceNode(model, p, { row: 1, col })); placed.add(p); col++; }
      if (!mine.length) col++;
      els.push(districtNode(model, g, { row: 2, col: start }));
      for (const p of mine) els.push({ data: { id: "serves:" + p + ":" + g, kind: "serves", source: "device:" + p, target: "district:" + g, state: "design" } });
    }
    const shown = new Set([...coreIds, ...placed]);
    for (const lk of model.backbone) {
      if (shown.has(lk.a.device) && shown.has(lk.b.device)) els.push(linkEdge(model, lk, "device:" + lk.a.device, "device:" + lk.b.device));
    }
    return {
      elements: els,
      layout: { name: "grid", rows: 3, cols, position: (n) => ({ row: n.data("row"), col: n.data("col") }), avoidOverlapPadding: 24, condense: false, fit: true, padding: 30 },
      scope: inScope,
    };
  }

  NM.views = {};

  NM.views.overview = function (model, width) {
    if (model.regions.length && model.snap.groups.length > 40) {
      const els = [];
      const n = model.regions.length;
      const cols = Math.max(3, Math.min(n, Math.floor((width || 1600) / 235)));
      const top = model.cores.filter((c) => !model.regions.some((r) => r.id === model.snap._devices[c].site));
      top.forEach((c, i) => els.push(deviceNode(model, c, { row: 0, col: Math.floor((cols - top.length) / 2) + i })));
      model.regions.forEach((r, i) => {
        const state = NM.shareState(model.snap, r.reachable, r.total);
        let label = r.name + "\n" + (model.snap.probed ? r.reachable + "/" + r.total + " cơ quan " + W.reachable : r.total + " cơ quan");
        if (model.snap.probed && r.total > r.reachable) label += "\n✗ " + (r.total - r.reachable) + " " + W.cut;
        els.push({ data: { id: "region:" + r.id, ref: r.id, kind: "region", state, reachable: r.reachable, total: r.total, label, w: 215, h: 66, row: 1 + Math.floor(i / cols), col: i % cols } });
      });
      return { elements: els, layout: { name: "grid", cols, position: (nd) => ({ row: nd.data("row"), col: nd.data("col") }), fit: true, padding: 30, avoidOverlapPadding: 16 } };
    }
    return scopeView(model, model.groupOrder, model.cores);
  };

  NM.views.region = function (model, id) {
    const r = model.regions.find((x) => x.id === id);
    if (!r) return null;
    const cores = model.snap.devices.filter((d) => d.site === id && !d.agency).map((d) => d.id);
    return scopeView(model, r.groups, cores);
  };

  NM.views.district = function (model, g, width) {
    if (!model.groups[g]) return null;
    const snap = model.snap;
    const agencies = (model.agenciesOf.get(g) || []).slice();
    const shared = NM.sharedCause(agencies);
    const els = [];
    const mine = model.popsOf.get(g) || [];
    const cpes = new Set(agencies.flatMap((a) => a.devices));
    const backups = new Set();
    for (const cpe of cpes) {
      for (const lk of model.access.get(cpe) || []) {
        for (const end of [lk.a.device, lk.b.device]) {
          const d = snap._devices[end];
          if (d && !d.agency && !mine.includes(end)) backups.add(end);
        }
      }
    }
    for (const p of mine) els.push(deviceNode(model, p, { band: 0 }));
    for (const p of backups) {
      const node = deviceNode(model, p, { band: 0, backup: true });
      node.data.label += "\n(dự phòng / backup)";
      node.data.h += 15;
      els.push(node);
    }
    const byLevel = new Map();
    for (const a of agencies) (byLevel.get(a.level) || byLevel.set(a.level, []).get(a.level)).push(a);
    const levelIds = [...byLevel.keys()].sort((x, y) => (model.levels[x] || { rank: 99 }).rank - (model.levels[y] || { rank: 99 }).rank);
    levelIds.forEach((lv, i) => {
      const list = byLevel.get(lv).sort((a, b) => a.reachable - b.reachable || a.name.localeCompare(b.name, "vi"));
      const up = list.filter((a) => a.reachable).length;
      const head = ((model.levels[lv] || {}).name || lv) + " — " + (snap.probed ? up + "/" + list.length : list.length);
      els.push({ data: { id: "level:" + lv, kind: "level", label: head, band: i + 1, state: "none" } });
      for (const a of list) {
        const state = !snap.probed ? "design" : a.reachable ? "ok" : "cut";
        let label = a.name;
        if (state === "cut" && !(shared && JSON.stringify(a.causes) === JSON.stringify(shared.causes))) {
          label += "\n✗ " + (a.causes.map(model.causeText).join("; ") || "không có đường khai báo");
        }
        const h = Math.max(AGENCY_H, 14 + 16 * label.split("\n").reduce((s, l) => s + lines(l, 20), 0));
        els.push({
          data: { id: "agency:" + a.id, ref: a.id, kind: "agency", parent: "level:" + lv, state, label, w: AGENCY_W, h, band: i + 1, dual: a.spofs_declared.length === 0 },
          classes: a.spofs_declared.length === 0 ? "dual" : "",
        });
      }
    });
    const cols = Math.max(4, Math.floor((width || 1600) / ((AGENCY_W + 14) * FIT_ZOOM)));
    return { elements: els, layout: { name: "bands", cols, cell: [AGENCY_W + 14, AGENCY_H + 14] }, shared };
  };

  NM.views.agency = function (model, id) {
    const snap = model.snap;
    const a = snap._agencies[id];
    if (!a) return null;
    const state = !snap.probed ? "design" : a.reachable ? "ok" : "cut";
    const els = [{ data: { id: "agency:" + a.id, ref: a.id, kind: "agency", state, label: a.name, w: 200, h: 56 } }];
    const pops = new Set();
    for (const cpe of a.devices) {
      const d = snap._devices[cpe];
      const dstate = !snap.probed ? "design" : d.status === "down" ? "down" : d.reachable ? "ok" : "cut";
      els.push({ data: { id: "device:" + cpe, ref: cpe, kind: "cpe", state: dstate, label: cpe + "\n" + (W[d.status] || d.status), w: 150, h: 44 } });
      els.push({ data: { id: "own:" + cpe, kind: "serves", source: "agency:" + a.id, target: "device:" + cpe, state: "design" } });
      for (const lk of model.access.get(cpe) || []) {
        const other = lk.a.device === cpe ? lk.b.device : lk.a.device;
        if (!snap._devices[other]) continue;
        if (!pops.has(other)) { pops.add(other); els.push(deviceNode(model, other)); }
        els.push(linkEdge(model, lk, "device:" + cpe, "device:" + other));
        const e = els[els.length - 1];
        e.data.label = lk.id + (e.data.state === "down" ? " ✗ " + W.down : "");
      }
    }
    const core = model.cores[0];
    if (core && !pops.has(core)) els.push(deviceNode(model, core));
    for (const p of pops) {
      if (model.cores.includes(p)) continue;
      const d = snap._devices[p];
      const st = !snap.probed ? "design" : d.reachable ? "up" : "down";
      els.push({ data: { id: "path:" + p, kind: "path", source: "device:" + p, target: "device:" + core, state: st, label: d.reachable ? "qua đường trục (backbone)" : "✗ không có đường về lõi" } });
    }
    for (const c of a.causes) {
      const el = els.find((e) => e.data.id === c.kind + ":" + c.id);
      if (el) el.classes = (el.classes || "") + " cause";
    }
    return { elements: els, layout: { name: "breadthfirst", roots: ["agency:" + a.id], directed: true, spacingFactor: 1.2, padding: 40, fit: true } };
  };

  // Bands: the district page's layout. PoPs in a row on top, then each level's agencies in
  // a grid of `cols` columns under the previous band, each band laid out by Cytoscape's grid.
  NM.runLayout = function (cy, view) {
    if (view.layout.name !== "bands") {
      cy.layout(view.layout).run();
      return;
    }
    const [cw, ch] = view.layout.cell;
    let y = 0;
    const bands = [...new Set(cy.nodes().map((n) => n.data("band")))].filter((b) => b !== undefined).sort((p, q) => p - q);
    for (const b of bands) {
      const members = cy.nodes().filter((n) => n.data("band") === b && !n.isParent());
      if (!members.length) continue;
      const cols = Math.min(view.layout.cols, members.length);
      const rows = Math.ceil(members.length / cols);
      const tallest = Math.max(...members.map((n) => n.data("h")));
      const rowH = Math.max(ch, tallest + 12);
      members.layout({ name: "grid", cols, rows, fit: false, condense: true, avoidOverlap: true,
        boundingBox: { x1: 0, y1: y + 40, w: cols * cw, h: rows * rowH } }).run();
      y += rows * rowH + 70;
    }
    cy.fit(undefined, 20);
  };

  // A down link's label names it; where the line is shorter than the name (neighbouring PoPs
  // on a ring), the label is just ✗ and the name is in the details (tap the line).
  NM.shortenLabels = function (cy) {
    cy.edges("[state='down']").forEach((e) => {
      const a = e.source(), b = e.target();
      const gap = Math.hypot(a.position("x") - b.position("x"), a.position("y") - b.position("y"))
        - (a.width() + b.width()) / 2;
      if (gap < 7 * String(e.data("label")).length) e.data("label", "✗");
    });
  };
})(window.NM);
