/* The joint checklist on a phone: one field per element from its evidence schema, checked in
   the browser; the draft kept in localStorage as it is typed; a submitted record queued there
   too and sent (POST /records) when the network is back; the findings shown once stored. The
   service worker (/ui/sw.js) keeps the page itself for a reload without network. */
"use strict";
(function () {
  const O = window.Onething;
  const t = O.t;
  const QUEUE = "onething.records.queue";

  const load = (key, none) => { try { return JSON.parse(localStorage.getItem(key)) ?? none; } catch (e) { return none; } };
  const keep = (key, value) => localStorage.setItem(key, JSON.stringify(value));

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("checklist");
    if (!form) return;
    // this page was fetched before the worker ran: put it in the worker's cache now
    O.offlineReady = "serviceWorker" in navigator
      ? navigator.serviceWorker.register("/ui/sw.js", { scope: "/ui/" })
          .then(() => navigator.serviceWorker.ready)
          .then(() => caches.open("onething-console-v1"))
          .then((cache) => cache.add(location.href))
          .then(() => true, () => false)
      : Promise.resolve(false);
    const data = JSON.parse(document.getElementById("checklist-data").textContent);
    const c = data.checklist;
    const DRAFT = `onething.draft.${c.object}.${data.visit || ""}`;
    const elements = [];
    for (const line of c.checklist) {
      for (const e of line.elements) {
        const box = form.querySelector(`[data-element="${CSS.escape(e.code)}"]`);
        const f = O.field(e.evidence_schema, O.lang === "en" ? e.label_en : e.label_zh, true, e.code);
        box.querySelector(".inputs").append(f.node);
        elements.push({ e, f, na: box.querySelector(".not-applicable"), box });
      }
    }
    const name = form.elements.inspector_name, badge = form.elements.inspector_id;
    const message = document.getElementById("message"), network = document.getElementById("network");

    // -- the draft: kept as it is typed, so a reload (or a dead battery) loses nothing --------
    let draft = load(DRAFT, null) || { id: "web-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8), visited_at: O.now(), entries: {} };
    if (draft.name) name.value = draft.name;
    if (draft.badge) badge.value = draft.badge;
    for (const x of elements) {
      const saved = draft.entries[x.e.code];
      if (saved) { x.f.write(saved.value); x.na.checked = !!saved.na; }
    }
    const save = () => {
      draft.name = name.value;
      draft.badge = badge.value;
      for (const x of elements) draft.entries[x.e.code] = { value: x.f.read(), na: x.na.checked };
      keep(DRAFT, draft);
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    const showNetwork = () => {
      const queued = load(QUEUE, []).length;
      network.textContent = (navigator.onLine ? t("在线", "online") : t("离线：记录保存在本机", "offline: records are kept on this phone"))
        + (queued ? t(`，待提交 ${queued} 份`, `, ${queued} waiting to be sent`) : "");
      network.className = navigator.onLine ? "hint" : "hint late";
    };

    // -- checking in the browser against each element's evidence schema -----------------------
    function entries() {
      const out = [], bad = [];
      if (!name.value.trim()) bad.push({ node: name, text: t("请填写检查人员姓名", "give the inspector's name") });
      for (const x of elements) {
        if (x.na.checked) { x.f.errors([]); out.push({ element: x.e.code, result: "not_applicable" }); continue; }
        const value = x.f.read();
        const errs = value === undefined ? [{ path: "", message: t("必填（或勾选不适用）", "required (or tick not applicable)") }] : O.validate(x.e.evidence_schema, value);
        x.f.errors(errs);
        if (errs.length) bad.push({ node: x.box });
        else out.push({ element: x.e.code, evidence: value });
      }
      return { out, bad };
    }

    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      save();
      const { out, bad } = entries();
      if (bad.length) {
        message.className = "error";
        message.textContent = bad[0].text || t(`有 ${bad.length} 处需要改正`, `${bad.length} to correct`);
        bad[0].node.scrollIntoView({ block: "center" });
        return;
      }
      const inspector = { name: name.value.trim(), department: data.department };
      if (badge.value.trim()) inspector.id = badge.value.trim();
      const record = {
        id: draft.id, object: c.object, items: c.items, visited_at: draft.visited_at || O.now(),
        inspectors: [inspector], entries: out,
      };
      keep(QUEUE, [...load(QUEUE, []).filter((q) => q.id !== record.id), { id: record.id, draft: DRAFT, record }]);
      message.className = "ok";
      message.textContent = navigator.onLine ? t("正在提交……", "Sending…") : t("已保存在本机，联网后自动提交", "Saved on this phone; it is sent when the network is back");
      showNetwork();
      flush();
    });

    // -- sending what is queued, when there is a network --------------------------------------
    let sending = false;
    async function flush() {
      if (sending || !navigator.onLine) return showNetwork();
      sending = true;
      try {
        for (const q of load(QUEUE, [])) {
          let r;
          try { r = await O.api("POST", "/records", { body: q.record }); } catch (e) { break; } // no network after all
          let done = r.status === 201 ? r.body : null;
          if (!done && r.status === 422 && r.body && r.body.path === "id") {
            // stored already (the answer was lost on the way back): show what was stored
            const again = await O.api("GET", `/records/${encodeURIComponent(q.id)}`);
            if (again.ok) done = { record: again.body, opened: [], attached: [] };
          }
          keep(QUEUE, load(QUEUE, []).filter((x) => x.id !== q.id));
          if (done) { localStorage.removeItem(q.draft); show(done); }
          else { message.className = "error"; message.textContent = t("服务拒绝了记录：", "The service refused the record: ") + O.problemText(r.body, r.status); }
        }
      } finally {
        sending = false;
        showNetwork();
      }
    }

    // -- the findings the record produced ----------------------------------------------------
    const labelOf = {};
    for (const line of c.checklist) for (const e of line.elements) labelOf[e.code] = O.lang === "en" ? e.label_en : e.label_zh;
    function show(done) {
      const rec = done.record;
      const box = document.getElementById("result");
      box.hidden = false;
      form.hidden = true;
      document.getElementById("result-record").textContent = t(`检查记录 ${rec.id} 已保存（${rec.visited_at.slice(0, 16).replace("T", " ")}）`, `Record ${rec.id} stored (${rec.visited_at.slice(0, 16).replace("T", " ")})`);
      const list = document.getElementById("findings");
      list.replaceChildren();
      if (!rec.findings.length) list.append(O.el("li", { class: "ok", text: t("未发现问题", "No findings") }));
      for (const f of rec.findings)
        list.append(O.el("li", { class: "error finding", "data-element": f.element, text: `${labelOf[f.element] || f.element}（${f.element}）· ${data.severities[f.severity] || f.severity}${f.remark ? " · " + f.remark : ""}` }));
      const cases = document.getElementById("result-cases");
      cases.replaceChildren();
      const ids = [...done.opened, ...done.attached];
      if (ids.length) {
        cases.append(t("发现问题已转入事项：", "The findings went to cases: "));
        for (const id of ids) cases.append(O.el("a", { href: `/ui/cases/${id}`, text: `#${id} ` }));
      }
      box.scrollIntoView({ block: "start" });
    }
    document.getElementById("again").addEventListener("click", () => location.reload());

    window.addEventListener("online", flush);
    window.addEventListener("offline", showNetwork);
    flush(); // a record queued on an earlier visit to the page
  });
})();
