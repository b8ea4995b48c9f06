/* netmon map: what the page knows, derived from /api/snapshot alone (netmon-snapshot/1).
 *
 * Pure functions, no DOM: the shape of the network (core, regions, PoPs, districts,
 * agencies), the state words, the causes, and the search that ignores diacritics.
 * The counts shown are the Snapshot's own (coverage.total, coverage.by_group): never
 * recounted here, so the map and /api/snapshot cannot disagree.
 */
"use strict";
window.NM = window.NM || {};

(function (NM) {
  // The words for states, Vietnamese first (the same as the static SVG's).
  NM.WORDS = {
    up: "hoạt động",
    down: "mất kết nối",
    isolated: "bị cô lập",
    unknown: "chưa rõ",
    cut: "mất kết nối",
    reachable: "kết nối",
  };

  // "Ủy ban nhân dân Thị xã Hương Thủy" -> "uy ban nhan dan thi xa huong thuy"
  NM.fold = function (text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  };

  // Every query word must appear in the folded name or id: "ubnd huong thuy" finds
  // "UBND thị xã Hương Thủy"; results with the words at the start of a word rank first.
  NM.search = function (model, query, limit) {
    const words = NM.fold(query).split(" ").filter(Boolean);
    if (!words.length) return [];
    const hits = [];
    for (const item of model.searchable) {
      if (words.every((w) => item.key.includes(w))) {
        const score = words.reduce(
          (s, w) => s + (item.key.startsWith(w) || item.key.includes(" " + w) ? 0 : 1),
          0
        );
        hits.push({ item, score });
      }
    }
    hits.sort((a, b) => a.score - b.score || a.item.label.localeCompare(b.item.label, "vi"));
    return hits.slice(0, limit || 12).map((h) => h.item);
  };

  function siteName(snap, sites, device) {
    const d = snap._devices[device];
    if (!d) return device;
    if (d.agency && snap._agencies[d.agency]) return snap._agencies[d.agency].name;
    const s = sites[d.site];
    return s ? s.name : d.id;
  }

  function causeText(model, cause) {
    const word = NM.WORDS[cause.state] || cause.state;
    if (cause.kind === "device") return model.name(cause.id) + " " + word;
    return "đường " + cause.id + " " + word;
  }

  // Depth-first from the core over the backbone: ring neighbours come out side by side.
  function ringOrder(cores, adj) {
    const seen = new Map();
    const stack = cores.slice().reverse();
    while (stack.length) {
      const cur = stack.pop();
      if (seen.has(cur)) continue;
      seen.set(cur, seen.size);
      const next = (adj.get(cur) || []).slice().reverse();
      for (const n of next) if (!seen.has(n)) stack.push(n);
    }
    return seen;
  }

  // Core sites under the root core (a national inventory: one per province), each with the
  // PoPs nearest to it; none for a province (a single core site).
  function regions(snap, infra, adj, siteOf) {
    const coreSites = [...new Set(infra.filter((d) => d.role === "core" && d.site).map((d) => d.site))].sort();
    if (coreSites.length < 2) return { list: [], of: new Map() };
    const devicesOf = new Map();
    for (const d of infra) if (d.site) (devicesOf.get(d.site) || devicesOf.set(d.site, []).get(d.site)).push(d.id);
    const touching = (site) =>
      new Set(
        (devicesOf.get(site) || []).flatMap((dev) =>
          (adj.get(dev) || []).map((n) => siteOf.get(n)).filter((s) => s !== site && coreSites.includes(s))
        )
      ).size;
    let root = coreSites[0];
    for (const s of coreSites) if (touching(s) > touching(root)) root = s;
    const owner = new Map();
    const queue = [];
    for (const s of coreSites) if (s !== root) for (const dev of devicesOf.get(s) || []) { owner.set(dev, s); queue.push(dev); }
    const blocked = new Set(devicesOf.get(root) || []);
    for (let i = 0; i < queue.length; i++) {
      for (const n of adj.get(queue[i]) || []) {
        if (!owner.has(n) && !blocked.has(n)) { owner.set(n, owner.get(queue[i])); queue.push(n); }
      }
    }
    const list = coreSites.filter((s) => s !== root).map((s) => ({ id: s, groups: [] }));
    return { list, of: owner, root };
  }

  NM.derive = function (snap) {
    snap._devices = Object.fromEntries(snap.devices.map((d) => [d.id, d]));
    snap._agencies = Object.fromEntries(snap.agencies.map((a) => [a.id, a]));
    const sites = Object.fromEntries(snap.sites.map((s) => [s.id, s]));
    const groups = Object.fromEntries(snap.groups.map((g) => [g.id, g]));
    const levels = Object.fromEntries(snap.levels.map((l, i) => [l.id, { ...l, rank: i }]));
    const infra = snap.devices.filter((d) => !d.agency);
    const infraIds = new Set(infra.map((d) => d.id));
    const cores = infra.filter((d) => d.role === "core").map((d) => d.id);
    const siteOf = new Map(infra.map((d) => [d.id, d.site]));
    const adj = new Map();
    const backbone = [];
    const access = new Map(); // cpe device -> links
    for (const lk of snap.links) {
      const a = lk.a.device, b = lk.b.device;
      if (infraIds.has(a) && infraIds.has(b)) {
        backbone.push(lk);
        (adj.get(a) || adj.set(a, []).get(a)).push(b);
        (adj.get(b) || adj.set(b, []).get(b)).push(a);
      } else {
        for (const end of [a, b]) if (!infraIds.has(end)) (access.get(end) || access.set(end, []).get(end)).push(lk);
      }
    }
    const popsOf = new Map(); // group -> PoP device ids
    for (const d of infra) {
      if (d.role === "core") continue;
      const g = (sites[d.site] || {}).group || null;
      (popsOf.get(g) || popsOf.set(g, []).get(g)).push(d.id);
    }
    const rank = ringOrder(cores, adj);
    const first = (g) => Math.min(...(popsOf.get(g) || []).map((p) => (rank.has(p) ? rank.get(p) : 1e9)), 1e9);
    const groupOrder = snap.groups.map((g) => g.id).sort((x, y) => first(x) - first(y));
    const agenciesOf = new Map();
    for (const a of snap.agencies) (agenciesOf.get(a.group) || agenciesOf.set(a.group, []).get(a.group)).push(a);
    // Agencies each failed element cuts off, as netmon names the causes.
    const causeCount = new Map();
    for (const a of snap.agencies) {
      if (a.reachable) continue;
      for (const c of a.causes) causeCount.set(c.kind + ":" + c.id, (causeCount.get(c.kind + ":" + c.id) || 0) + 1);
    }
    const coverage = Object.fromEntries(snap.coverage.by_group.map((c) => [c.id, c]));
    const reg = regions(snap, infra, adj, siteOf);
    const regionOfGroup = new Map();
    for (const g of groupOrder) {
      const owner = (popsOf.get(g) || []).map((p) => reg.of.get(p)).find(Boolean);
      const r = reg.list.find((x) => x.id === owner);
      if (r) { r.groups.push(g); regionOfGroup.set(g, r.id); }
    }
    for (const r of reg.list) {
      r.name = (sites[r.id] || {}).name || r.id;
      r.total = r.groups.reduce((s, g) => s + (coverage[g] ? coverage[g].total : 0), 0);
      r.reachable = r.groups.reduce((s, g) => s + (coverage[g] ? coverage[g].reachable : 0), 0);
    }
    const model = {
      snap, sites, groups, levels, cores, backbone, access, popsOf, groupOrder, agenciesOf,
      causeCount, coverage, regions: reg.list, regionOfGroup,
      name: (device) => siteName(snap, sites, device),
    };
    model.causeText = (cause) => causeText(model, cause);
    model.searchable = [
      ...snap.agencies.map((a) => ({
        kind: "agency", id: a.id, label: a.name, sub: (groups[a.group] || {}).name || a.group,
        key: NM.fold(a.name + " " + a.id),
      })),
      ...snap.groups.map((g) => ({ kind: "district", id: g.id, label: g.name, sub: "khu vực", key: NM.fold(g.name + " " + g.id) })),
    ];
    return model;
  };

  // The state of a district (or region): all reachable, some cut off, most cut off.
  NM.shareState = function (snap, reachable, total) {
    if (!snap.probed) return "design";
    if (reachable === total) return "ok";
    return reachable < total / 2 ? "most" : "some";
  };

  NM.deviceState = function (snap, d) {
    if (!snap.probed) return "design";
    if (d.status === "down") return "down";
    if (!d.reachable) return "isolated";
    if (d.status === "unknown") return "unknown";
    return d.role === "core" ? "core" : "up";
  };

  // The one cause most cut-off agencies of a list share (said once, not on every box).
  NM.sharedCause = function (agencies) {
    const counts = new Map();
    for (const a of agencies) {
      if (a.reachable || !a.causes.length) continue;
      const key = JSON.stringify(a.causes);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    let best = null, n = 0;
    for (const [k, v] of counts) if (v > n) { best = k; n = v; }
    return best ? { causes: JSON.parse(best), count: n } : null;
  };
})(window.NM);
