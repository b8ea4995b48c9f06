/* netmon map: the page. Reads api/snapshot (and again every POLL_MS), draws the level the
 * address names (#/, #/region/ID, #/district/ID, #/agency/ID), search, details, legend.
 * Every request goes to the netmon that served the page: nothing else is fetched.
 */
"use strict";

(function (NM) {
  const POLL_MS = 10000;
  const MIN_ZOOM = 0.8; // below this the labels of a district's boxes are too small to read
  const $ = (id) => document.getElementById(id);
  const W = NM.WORDS;
  const state = { snap: null, model: null, view: null, signature: "", cy: null, error: "", loads: 0 };

  const COLOURS = {
    ok: ["#d7f0d4", "#6a9f5e"], cut: ["#f6c4c4", "#cc0000"], down: ["#e06666", "#990000"],
    isolated: ["#f6b26b", "#b45f06"], unknown: ["#e0e0e0", "#888888"], core: ["#9fc5e8", "#3d6fb6"],
    up: ["#cfe2f3", "#3d6fb6"], design: ["#f3f3f3", "#999999"], some: ["#f6b26b", "#b45f06"],
    most: ["#f6c4c4", "#cc0000"], none: ["#fafafa", "#bbbbbb"],
  };

  function style() {
    const s = [
      { selector: "node", style: {
        label: "data(label)", "text-wrap": "wrap", "text-max-width": (n) => (n.data("w") || 150) - 12,
        "font-size": 12, "font-family": "DejaVu Sans, Noto Sans, sans-serif", "text-valign": "center",
        "text-halign": "center", shape: "round-rectangle", width: "data(w)", height: "data(h)",
        "border-width": 1.5, color: "#111" } },
      { selector: "node[kind='level']", style: { "text-max-width": 900,
        "text-valign": "top", "text-halign": "center", "font-size": 15, "font-weight": "bold",
        "background-opacity": 0.35, padding: 14, "text-margin-y": -4, shape: "round-rectangle" } },
      { selector: "node[kind='agency']", style: { "font-size": 13 } },
      { selector: "node.dual", style: { "border-style": "double", "border-width": 5 } },
      { selector: "node.cause", style: { "border-width": 5, "border-color": "#cc0000" } },
      { selector: "node[kind='district'], node[kind='region']", style: { "font-size": 13, "font-weight": "bold" } },
      { selector: "node.match", style: { "overlay-color": "#ffd400", "overlay-opacity": 0.45, "overlay-padding": 8 } },
      { selector: "node:selected", style: { "overlay-color": "#1f5fa8", "overlay-opacity": 0.25, "overlay-padding": 6 } },
      { selector: "edge", style: { width: 2.5, "line-color": "#3d6fb6", "curve-style": "bezier",
        label: "data(label)", "font-size": 12, color: "#333", "text-background-color": "#fff",
        "text-background-opacity": 0.9, "text-background-padding": 2 } },
      { selector: "edge[kind='serves']", style: { width: 1.5, "line-color": "#aaa", "line-style": "dotted" } },
      { selector: "edge[state='down']", style: { width: 4, "line-color": "#cc0000", "line-style": "dashed", color: "#b00000", "font-weight": "bold" } },
      { selector: "edge[state='unknown']", style: { "line-color": "#999", "line-style": "dotted" } },
      { selector: "edge[state='design']", style: { "line-color": "#999" } },
      { selector: "edge.cause", style: { width: 6 } },
    ];
    for (const [k, [fill, border]] of Object.entries(COLOURS)) {
      s.splice(2, 0, { selector: `node[state='${k}']`, style: { "background-color": fill, "border-color": border } });
    }
    return s;
  }

  function route() {
    const parts = (location.hash || "#/").slice(2).split("/").map(decodeURIComponent);
    if (["region", "district", "agency"].includes(parts[0]) && parts[1]) return { level: parts[0], id: parts[1] };
    return { level: "overview", id: null };
  }

  function go(level, id) {
    location.hash = level === "overview" ? "#/" : `#/${level}/${encodeURIComponent(id)}`;
  }

  function header() {
    const snap = state.snap, c = snap.coverage.total;
    $("inventory").textContent = snap.inventory;
    const cov = $("coverage");
    cov.dataset.reachable = c.reachable;
    cov.dataset.total = c.total;
    cov.textContent = snap.probed
      ? `${c.reachable}/${c.total} cơ quan kết nối (${(100 * c.ratio).toFixed(1).replace(".", ",")} %)`
      : `${c.total} cơ quan (chưa thăm dò)`;
    cov.classList.toggle("bad", snap.probed && c.reachable < c.total);
    const mode = $("mode");
    mode.className = state.error ? "stale" : snap.probed ? "" : "design";
    mode.textContent = state.error
      ? "MẤT KẾT NỐI TỚI NETMON — số liệu cũ (stale)"
      : snap.probed ? "trực tiếp (live)" : "THIẾT KẾ KHAI BÁO, chưa thăm dò (design)";
    const at = new Date(snap.at * 1000);
    $("updated").textContent = `số liệu lúc ${at.toLocaleTimeString("vi-VN")} ${at.toLocaleDateString("vi-VN")}`;
  }

  function crumbs(r) {
    const m = state.model, out = [`<a href="#/">${esc(state.snap.inventory)}</a>`];
    let group = null;
    if (r.level === "agency" && m.snap._agencies[r.id]) group = m.snap._agencies[r.id].group;
    if (r.level === "district") group = r.id;
    const region = group ? m.regionOfGroup.get(group) : r.level === "region" ? r.id : null;
    if (region && m.regions.length && m.snap.groups.length > 40) {
      const reg = m.regions.find((x) => x.id === region);
      out.push(`<a href="#/region/${enc(region)}">${esc(reg ? reg.name : region)}</a>`);
    }
    if (group && m.groups[group]) out.push(`<a href="#/district/${enc(group)}">${esc(m.groups[group].name)}</a>`);
    if (r.level === "agency" && m.snap._agencies[r.id]) out.push(`<span>${esc(m.snap._agencies[r.id].name)}</span>`);
    $("crumbs").innerHTML = out.join('<span class="sep">›</span>');
  }

  const esc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const enc = encodeURIComponent;

  function banner(text, kind) {
    const b = $("banner");
    b.hidden = !text;
    b.textContent = text || "";
    b.className = kind || "";
  }

  function render() {
    const r = route();
    const m = state.model;
    const width = $("cy").clientWidth;
    let view = r.level === "overview" ? NM.views.overview(m, width)
      : NM.views[r.level] ? NM.views[r.level](m, r.id, width) : null;
    if (!view) { go("overview"); return; }
    crumbs(r);
    const shared = view.shared;
    if (!state.snap.probed) banner("Thiết kế khai báo, chưa thăm dò: mọi phần tử được coi là hoạt động (declared design, nothing measured)", "info");
    else if (r.level === "district" && shared) banner(`✗ ${shared.count} cơ quan mất kết nối do ${shared.causes.map(m.causeText).join("; ")}`);
    else if (r.level === "overview" && state.snap.coverage.total.reachable < state.snap.coverage.total.total) {
      const top = [...m.causeCount.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      banner("✗ Nguyên nhân: " + top.map(([k, n]) => {
        const [kind, id] = [k.slice(0, k.indexOf(":")), k.slice(k.indexOf(":") + 1)];
        return `${kind === "device" ? m.name(id) : "đường " + id} (${n} cơ quan)`;
      }).join("; "));
    } else banner("");
    const signature = r.level + ":" + r.id + ":" + view.elements.map((e) => e.data.id).join(",");
    const cy = state.cy;
    if (signature === state.signature) {
      // Same picture, new figures: update in place, keep positions and zoom.
      for (const e of view.elements) {
        const el = cy.getElementById(e.data.id);
        el.data(e.data);
        el.classes(e.classes || "");
      }
    } else {
      state.signature = signature;
      cy.resize(); // the banner above may have changed the canvas's height
      cy.elements().remove();
      cy.add(view.elements);
      NM.runLayout(cy, view);
      NM.shortenLabels(cy);
      if (r.level === "district" && cy.zoom() < MIN_ZOOM) {
        cy.zoom(MIN_ZOOM);
        cy.pan({ x: 20, y: 20 });
      }
    }
    state.view = { level: r.level, id: r.id };
    if (r.level === "agency") details(cy.getElementById("agency:" + r.id));
    else if (!$("panel").hidden && $("panel").dataset.node) {
      const again = cy.getElementById($("panel").dataset.node);
      if (again.nonempty()) details(again); else closePanel();
    }
    legend(r.level);
  }

  function legend(level) {
    const rows = level === "district" || level === "agency"
      ? [["ok", "kết nối"], ["cut", "mất kết nối"], ["isolated", "PoP bị cô lập"], ["down", "thiết bị mất kết nối"], ["design", "thiết kế"]]
      : [["ok", "mọi cơ quan kết nối"], ["some", "một phần mất kết nối"], ["most", "quá nửa mất kết nối"], ["isolated", "bị cô lập"], ["down", "mất kết nối"]];
    $("legend").innerHTML = rows.map(([k, t]) => `<span class="sw" style="background:${COLOURS[k][0]};border-color:${COLOURS[k][1]}"></span>${esc(t)}`).join("")
      + ' <span class="sw" style="border:3px solid #cc0000"></span>viền đỏ: nguyên nhân'
      + (level === "district" ? ' <span class="sw" style="border:3px double #6a9f5e"></span>viền đôi: hai đường' : "");
  }

  function closePanel() { $("panel").hidden = true; delete $("panel").dataset.node; }

  function row(k, v, cls) { return `<dt>${esc(k)}</dt><dd${cls ? ` class="${cls}"` : ""}>${v}</dd>`; }

  function details(node) {
    if (!node || node.empty()) return;
    const m = state.model, snap = m.snap, d = node.data(), p = $("panel");
    let html = "";
    if (d.kind === "agency") {
      const a = snap._agencies[d.ref];
      const spof = (list) => list.map((e) => e.kind === "link" ? "đường " + e.id : m.name(e.id)).join(", ") || "không (hai đường)";
      html = `<h2>${esc(a.name)}</h2><dl>` + row("mã", esc(a.id)) + row("cấp", esc((m.levels[a.level] || {}).name || a.level))
        + row("khu vực", `<a href="#/district/${enc(a.group)}">${esc((m.groups[a.group] || {}).name || a.group)}</a>`)
        + row("trạng thái", !snap.probed ? "thiết kế (chưa thăm dò)" : a.reachable ? "kết nối" : "MẤT KẾT NỐI", a.reachable ? "" : "cause")
        + (a.reachable ? "" : row("nguyên nhân", esc(a.causes.map(m.causeText).join("; ") || "không có đường khai báo"), "cause"))
        + row("dịch vụ", esc(a.services.map((s) => (snap.services.find((x) => x.id === s) || { name: s }).name + (a.services_cut.includes(s) ? " ✗" : " ✓")).join("; ")))
        + row("điểm lỗi đơn", esc(spof(a.spofs_declared)) + " (thiết kế)")
        + (snap.probed && a.reachable ? row("hiện tại", esc(spof(a.spofs_current))) : "")
        + row("thiết bị", esc(a.devices.map((x) => x + " (" + (W[snap._devices[x].status] || snap._devices[x].status) + ")").join(", ")))
        + "</dl>";
      if (state.view && state.view.level !== "agency") html += `<button class="open" data-go="agency" data-id="${esc(a.id)}">Xem đường kết nối →</button>`;
    } else if (d.kind === "pop" || d.kind === "core" || d.kind === "cpe") {
      const dev = snap._devices[d.ref];
      const down = snap.links.filter((lk) => (lk.a.device === dev.id || lk.b.device === dev.id) && lk.status === "down");
      html = `<h2>${esc(m.name(dev.id))}</h2><dl>` + row("thiết bị", esc(dev.id)) + row("vai trò", esc(dev.role))
        + row("trạng thái", esc(!snap.probed ? "thiết kế" : dev.status === "down" ? W.down : !dev.reachable ? W.isolated + ": không còn đường về lõi" : W.up), dev.status === "down" || !dev.reachable ? "cause" : "")
        + (d.cause ? row("nguyên nhân của", `${d.cause} cơ quan mất kết nối`, "cause") : "")
        + (down.length ? row("đường mất kết nối", esc(down.map((lk) => lk.id).join(", ")), "cause") : "")
        + row("thăm dò", esc((dev.probes_ok.map((x) => x + " ✓").concat(dev.probes_failed.map((x) => x + " ✗"))).join(", ") || "—"))
        + "</dl>";
    } else if (d.kind === "link") {
      const lk = snap.links.find((x) => x.id === d.ref);
      html = `<h2>Đường ${esc(lk.id)}</h2><dl>` + row("loại", esc(lk.kind)) + row("dung lượng", (lk.capacity_bps / 1e6).toLocaleString("vi-VN") + " Mbit/s")
        + row("trạng thái", esc(W[lk.status] || lk.status), lk.status === "down" ? "cause" : "")
        + row("hai đầu", esc(`${lk.a.device}:${lk.a.interface} – ${lk.b.device}:${lk.b.interface}`))
        + (d.cause ? row("nguyên nhân của", `${d.cause} cơ quan mất kết nối`, "cause") : "")
        + (lk.drift ? row("sai lệch", esc(lk.drift)) : "") + "</dl>";
    } else return;
    p.innerHTML = `<button class="close" title="đóng / close">×</button>` + html;
    p.dataset.node = d.id;
    p.hidden = false;
  }

  function onTap(evt) {
    const d = evt.target.data();
    if (d.kind === "district") go("district", d.ref);
    else if (d.kind === "region") go("region", d.ref);
    else if (d.kind === "agency" && state.view.level === "district") go("agency", d.ref);
    else details(evt.target);
  }

  function showResults() {
    const q = $("search").value;
    const list = $("results");
    if (!state.model || !q.trim()) { list.innerHTML = ""; return; }
    const hits = NM.search(state.model, q, 12);
    list.innerHTML = hits.length ? hits.map((h, i) => {
      const a = h.kind === "agency" ? state.snap._agencies[h.id] : null;
      const cut = a && state.snap.probed && !a.reachable;
      return `<li role="option" class="${i === 0 ? "active" : ""}${cut ? " cut" : ""}" data-kind="${h.kind}" data-id="${esc(h.id)}">${esc(h.label)}<small>${esc(h.sub)}${cut ? " — " + W.cut : ""}</small></li>`;
    }).join("") : `<li class="none">Không tìm thấy (no match)</li>`;
  }

  function pick(li) {
    if (!li || !li.dataset.id) return;
    $("results").innerHTML = "";
    $("search").blur();
    go(li.dataset.kind, li.dataset.id);
  }

  async function load() {
    try {
      const res = await fetch("api/snapshot", { cache: "no-store" });
      if (res.status === 503) { banner("Chưa có chu kỳ thăm dò nào: bản đồ sẽ hiện khi netmon thăm dò xong (no poll cycle yet)", "info"); return; }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const snap = await res.json();
      state.error = "";
      state.snap = snap;
      state.model = NM.derive(snap);
      state.loads += 1;
      header();
      render();
    } catch (err) {
      state.error = String(err);
      if (state.snap) header();
      else banner("Không đọc được số liệu từ netmon (cannot read api/snapshot): " + err);
    }
  }

  function start() {
    state.cy = cytoscape({ container: $("cy"), style: style(), wheelSensitivity: 0.3, minZoom: 0.05, maxZoom: 3, boxSelectionEnabled: false });
    state.cy.on("tap", "node, edge", onTap);
    window.addEventListener("hashchange", () => state.model && render());
    $("search").addEventListener("input", showResults);
    $("search").addEventListener("keydown", (e) => {
      const items = [...$("results").querySelectorAll("li[data-id]")];
      const at = items.findIndex((li) => li.classList.contains("active"));
      if (e.key === "Enter") pick(items[Math.max(at, 0)]);
      else if (e.key === "Escape") { $("search").value = ""; showResults(); }
      else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const next = (at + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach((li, i) => li.classList.toggle("active", i === next));
      }
    });
    $("results").addEventListener("click", (e) => pick(e.target.closest("li")));
    $("panel").addEventListener("click", (e) => {
      if (e.target.classList.contains("close")) closePanel();
      if (e.target.dataset.go) go(e.target.dataset.go, e.target.dataset.id);
    });
    load();
    setInterval(load, POLL_MS);
  }

  // For people debugging, and for the browser tests: what is on the map now.
  window.netmonMap = {
    state,
    loads: () => state.loads,
    view: () => state.view,
    nodes: () => (state.cy ? state.cy.nodes().map((n) => ({ ...n.data(), classes: n.classes() })) : []),
    edges: () => (state.cy ? state.cy.edges().map((e) => ({ ...e.data(), classes: e.classes() })) : []),
    tap: (id) => state.cy.getElementById(id).emit("tap"),
    zoom: () => state.cy.zoom(),
  };
  document.addEventListener("DOMContentLoaded", start);
})(window.NM);
