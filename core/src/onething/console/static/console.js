/* The console's little JavaScript: calls to the service's API, a JSON Schema check of what is
   typed (the subset the loop's and the elements' evidence schemas use; the service checks again
   and has the last word), forms built from those schemas, sign-in and the case page's steps. */
"use strict";
(function () {
  const O = (window.Onething = {});
  O.lang = document.body.dataset.lang || "zh";
  O.t = (zh, en) => (O.lang === "en" ? en : zh);
  const t = O.t;

  /* -- the API ------------------------------------------------------------------------------ */

  // Every change carries X-Onething-Console: the identity is a cookie, and a page of another
  // site cannot send this header (see onething.http.identity).
  O.api = async function (method, path, opts = {}) {
    const headers = { "X-Onething-Console": "1", Accept: "application/json", "Accept-Language": O.lang };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.version !== undefined) headers["If-Match"] = '"' + opts.version + '"';
    const res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { status: res.status, ok: res.ok, body, etag: res.headers.get("ETag") };
  };

  /* -- JSON Schema, the subset in use --------------------------------------------------------- */

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const TYPES = {
    object: isObject,
    array: Array.isArray,
    string: (v) => typeof v === "string",
    boolean: (v) => typeof v === "boolean",
    number: (v) => typeof v === "number" && Number.isFinite(v),
    integer: (v) => Number.isInteger(v),
    null: (v) => v === null,
  };
  const TYPE_NAMES = { object: ["对象", "an object"], array: ["列表", "a list"], string: ["文字", "text"],
    boolean: ["是或否", "yes or no"], number: ["数字", "a number"], integer: ["整数", "a whole number"], null: ["空", "null"] };

  // RFC 3339, as JSON Schema's date-time means it: seconds and the UTC offset required
  const DATE_TIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

  function validDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  /** The errors of `value` against `schema`: [{path, message}], none when it is valid. */
  O.validate = function validate(schema, value, path = "") {
    const errs = [];
    if (!isObject(schema)) return errs;
    const err = (message, at = path) => errs.push({ path: at, message });
    if (schema.type !== undefined) {
      const types = [].concat(schema.type);
      if (!types.some((ty) => (TYPES[ty] || (() => true))(value))) {
        err(t("应为", "must be ") + types.map((ty) => t(...(TYPE_NAMES[ty] || [ty, ty]))).join(t("或", " or ")));
        return errs;
      }
    }
    if ("const" in schema && !same(value, schema.const)) err(t("应为 ", "must be ") + JSON.stringify(schema.const));
    if (schema.enum && !schema.enum.some((v) => same(v, value)))
      err(t("应为以下之一：", "must be one of: ") + schema.enum.join(", "));
    if (typeof value === "string") {
      if (schema.minLength !== undefined && value.length < schema.minLength)
        err(schema.minLength === 1 ? t("不能为空", "must not be empty") : t(`至少 ${schema.minLength} 个字`, `at least ${schema.minLength} characters`));
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        err(t(`至多 ${schema.maxLength} 个字`, `at most ${schema.maxLength} characters`));
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value))
        err(t("格式不对：", "does not match ") + schema.pattern);
      if (schema.format === "date" && !validDate(value)) err(t("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"));
      if (schema.format === "date-time" && !(DATE_TIME.test(value) && validDate(value.slice(0, 10))))
        err(t("应为带时区的日期时间", "must be a date-time with its offset"));
    }
    if (typeof value === "number") {
      if (schema.minimum !== undefined && value < schema.minimum) err(t(`不能小于 ${schema.minimum}`, `must be at least ${schema.minimum}`));
      if (schema.maximum !== undefined && value > schema.maximum) err(t(`不能大于 ${schema.maximum}`, `must be at most ${schema.maximum}`));
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) err(t(`应大于 ${schema.exclusiveMinimum}`, `must be more than ${schema.exclusiveMinimum}`));
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) err(t(`应小于 ${schema.exclusiveMaximum}`, `must be less than ${schema.exclusiveMaximum}`));
    }
    if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) err(t(`至少 ${schema.minItems} 项`, `at least ${schema.minItems} entries`));
      if (schema.maxItems !== undefined && value.length > schema.maxItems) err(t(`至多 ${schema.maxItems} 项`, `at most ${schema.maxItems} entries`));
      if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) err(t("有重复项", "has repeated entries"));
      if (isObject(schema.items)) value.forEach((v, i) => errs.push(...validate(schema.items, v, `${path}[${i}]`)));
    }
    if (isObject(value)) {
      const props = schema.properties || {};
      for (const name of schema.required || [])
        if (!(name in value)) err(t("必填", "required"), path ? `${path}.${name}` : name);
      for (const [name, v] of Object.entries(value)) {
        const at = path ? `${path}.${name}` : name;
        if (name in props) errs.push(...validate(props[name], v, at));
        else if (schema.additionalProperties === false) err(t("不应有此项", "is not expected"), at);
      }
    }
    return errs;
  };

  /* -- forms built from a schema -------------------------------------------------------------- */

  let serial = 0;
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  };
  O.el = el;
  const words = (key) => key.replace(/_/g, " ");

  /** A field for `schema`: {node, read(), write(value), errors(list)}; read() gives undefined
      for what was left empty (an optional property is then left out). */
  O.field = function field(schema, label, required, key) {
    schema = schema || {};
    const id = "f" + ++serial;
    const wrap = el("div", { class: "field", "data-key": key || "" });
    const problem = el("div", { class: "field-error", role: "alert" });
    const title = label + (required ? " *" : "");
    const desc = schema.description ? el("small", { text: schema.description }) : "";
    let read, write;
    const type = [].concat(schema.type || [])[0];
    if (schema.enum) {
      const select = el("select", { id, name: key }, el("option", { value: "", text: "—" }));
      schema.enum.forEach((v, i) => select.append(el("option", { value: String(i), text: String(v) })));
      wrap.append(el("label", { for: id, text: title }), desc, select);
      read = () => (select.value === "" ? undefined : schema.enum[+select.value]);
      write = (v) => { const i = schema.enum.findIndex((x) => same(x, v)); select.value = i < 0 ? "" : String(i); };
    } else if (type === "boolean") {
      const name = id;
      const yes = el("input", { type: "radio", name, value: "true", id: id + "y" });
      const no = el("input", { type: "radio", name, value: "false", id: id + "n" });
      wrap.append(el("div", { class: "label", text: title }), desc,
        el("div", { class: "bool" }, el("label", { for: id + "y" }, yes, t("是", "yes")), el("label", { for: id + "n" }, no, t("否", "no"))));
      read = () => (yes.checked ? true : no.checked ? false : undefined);
      write = (v) => { yes.checked = v === true; no.checked = v === false; };
    } else if (type === "integer" || type === "number") {
      const input = el("input", { id, name: key, type: "number", step: type === "integer" ? "1" : "any", inputmode: type === "integer" ? "numeric" : "decimal" });
      wrap.append(el("label", { for: id, text: title }), desc, input);
      read = () => (input.value.trim() === "" ? (input.validity.badInput ? NaN : undefined) : Number(input.value));
      write = (v) => { input.value = v === undefined || v === null ? "" : String(v); };
    } else if (type === "string") {
      const kind = schema.format === "date" ? "date" : schema.format === "date-time" ? "datetime-local" : "text";
      const input = el("input", { id, name: key, type: kind });
      wrap.append(el("label", { for: id, text: title }), desc, input);
      read = () => {
        if (input.value === "") return undefined;
        return kind === "datetime-local" ? localWithOffset(input.value) : input.value;
      };
      write = (v) => { input.value = v === undefined || v === null ? "" : kind === "datetime-local" ? String(v).slice(0, 16) : String(v); };
    } else if (type === "array" && isObject(schema.items) && schema.items.enum) {
      const boxes = schema.items.enum.map((v, i) => {
        const box = el("input", { type: "checkbox", id: `${id}-${i}`, value: String(i) });
        return { v, box, node: el("label", { for: `${id}-${i}` }, box, String(v)) };
      });
      wrap.append(el("div", { class: "label", text: title }), desc, ...boxes.map((b) => b.node));
      read = () => boxes.filter((b) => b.box.checked).map((b) => b.v);
      write = (v) => boxes.forEach((b) => { b.box.checked = Array.isArray(v) && v.some((x) => same(x, b.v)); });
    } else if (type === "array") {
      const rows = [];
      const list = el("div", { class: "rows" });
      const add = (value) => {
        const f = O.field(schema.items, `${label} ${rows.length + 1}`, false, key);
        const remove = el("button", { type: "button", class: "link", text: t("删除", "remove") });
        const row = { f, node: el("div", { class: "row" }, f.node, remove) };
        remove.addEventListener("click", () => { rows.splice(rows.indexOf(row), 1); row.node.remove(); });
        rows.push(row);
        list.append(row.node);
        if (value !== undefined) f.write(value);
      };
      const more = el("button", { type: "button", text: t("添加一项", "add one") });
      more.addEventListener("click", () => add());
      wrap.append(el("div", { class: "label", text: title }), desc, list, more);
      read = () => rows.map((r) => r.f.read()).filter((v) => v !== undefined);
      write = (v) => { rows.splice(0).forEach((r) => r.node.remove()); (Array.isArray(v) ? v : []).forEach(add); };
    } else if (type === "object" || schema.properties) {
      const props = schema.properties || {};
      const req = new Set(schema.required || []);
      const parts = Object.entries(props).map(([name, sub]) => ({ name, f: O.field(sub, words(name), req.has(name), name) }));
      const box = el("fieldset", { class: "object" }, label ? el("legend", { text: title }) : null, desc, ...parts.map((p) => p.f.node));
      wrap.append(box);
      read = () => {
        const out = {};
        for (const p of parts) { const v = p.f.read(); if (v !== undefined) out[p.name] = v; }
        return out;
      };
      write = (v) => parts.forEach((p) => p.f.write(isObject(v) ? v[p.name] : undefined));
      const shown = (list) => {
        problem.textContent = "";
        for (const p of parts) p.f.errors(list.filter((e) => e.path === p.name || e.path.startsWith(p.name + ".") || e.path.startsWith(p.name + "[")).map((e) => ({ ...e, path: e.path.slice(p.name.length).replace(/^\./, "") })));
        const mine = list.filter((e) => e.path === "");
        problem.textContent = mine.map((e) => e.message).join("; ");
      };
      wrap.append(problem);
      return { node: wrap, read, write, errors: shown };
    } else {
      // a schema the form does not know how to draw: typed as JSON
      const area = el("textarea", { id, name: key, rows: "2", placeholder: "JSON" });
      wrap.append(el("label", { for: id, text: title }), desc, area);
      read = () => { if (area.value.trim() === "") return undefined; try { return JSON.parse(area.value); } catch (e) { return area.value; } };
      write = (v) => { area.value = v === undefined ? "" : JSON.stringify(v); };
    }
    wrap.append(problem);
    return { node: wrap, read, write, errors: (list) => { problem.textContent = list.map((e) => (e.path ? e.path + ": " : "") + e.message).join("; "); } };
  };

  function localWithOffset(value) {
    // what a datetime-local input gives, with this device's UTC offset (a record needs one)
    const d = new Date(value);
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? "+" : "-";
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
    return `${value.length === 16 ? value + ":00" : value}${sign}${pad(off / 60)}:${pad(off % 60)}`;
  }
  O.localWithOffset = localWithOffset;

  /** Now, with this device's UTC offset: 2026-12-01T10:00:00+08:00. */
  O.now = function () {
    const d = new Date();
    const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
    return localWithOffset(local);
  };

  O.problemText = (body, status) =>
    body && (body.detail || body.title) ? body.detail || body.title : t(`请求失败（${status}）`, `the request failed (${status})`);

  /* -- sign in and out ------------------------------------------------------------------------ */

  function login(form) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      const out = form.querySelector(".error");
      const r = await O.api("POST", "/ui/session", { body: data });
      if (r.ok) { location.href = form.dataset.next || "/ui/inbox"; return; }
      out.hidden = false;
      out.textContent = O.problemText(r.body, r.status);
    });
  }

  /* -- the case page: one form per step, the version read travelling with it ------------------- */

  function steps(root) {
    const data = JSON.parse(document.getElementById("case-data").textContent);
    const box = document.getElementById("step-message");
    const say = (kind, text, reload) => {
      box.className = "message " + kind;
      box.hidden = false;
      box.textContent = text;
      if (reload) {
        const again = el("button", { type: "button", text: t("重新加载", "Reload") });
        again.addEventListener("click", () => location.reload());
        box.append(" ", again);
      }
      box.scrollIntoView({ block: "center" });
    };
    for (const form of root.querySelectorAll("form.step-form")) {
      const step = data.forms.find((f) => f.transition === form.dataset.transition);
      const evidence = step.evidence_schema ? O.field(step.evidence_schema, t("证据", "Evidence"), true, "evidence") : null;
      const facts = step.facts_schema ? O.field(step.facts_schema, t("事实", "Facts"), false, "facts") : null;
      const slot = form.querySelector(".inputs");
      if (evidence) slot.append(evidence.node);
      if (facts) slot.append(facts.node);
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const body = {};
        if (evidence) {
          const value = evidence.read();
          const errs = O.validate(step.evidence_schema, value);
          evidence.errors(errs);
          if (errs.length) return;
          body.evidence = value;
        }
        if (facts) {
          const value = facts.read();
          const errs = O.validate(step.facts_schema, value);
          facts.errors(errs);
          if (errs.length) return;
          if (Object.keys(value).length) body.facts = value;
        }
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        const r = await O.api("POST", `/cases/${data.case.id}/transitions/${step.transition}`, { body, version: form.dataset.version });
        button.disabled = false;
        if (r.ok) {
          say("done", t(`已${step.label}：现为「${r.body.state_label}」`, `${step.label}: now "${r.body.state_label}"`));
          setTimeout(() => location.reload(), 600);
        } else if (r.status === 409) {
          say("conflict", t("已被他人更改——请重新加载", "Changed by someone else — reload"), true);
        } else if (r.status === 403) {
          say("refused", t("被拒绝：", "Refused: ") + O.problemText(r.body, r.status));
        } else {
          say("refused", O.problemText(r.body, r.status));
        }
      });
    }
  }

  function scrollToState() {
    // the diagram is wide on a phone: bring the case's state into view
    const box = document.querySelector(".diagram[data-state]");
    if (!box) return;
    for (const g of box.querySelectorAll("g.node")) {
      const title = g.querySelector("title");
      if (title && title.textContent === box.dataset.state) {
        const b = g.getBoundingClientRect(), c = box.getBoundingClientRect();
        box.scrollLeft += b.left - c.left - (c.width - b.width) / 2;
        box.scrollTop += b.top - c.top - (c.height - b.height) / 2;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("login");
    if (form) login(form);
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", async () => { await O.api("POST", "/ui/logout"); location.href = "/ui/login"; });
    const stepsRoot = document.getElementById("steps");
    if (stepsRoot) steps(stepsRoot);
    scrollToState();
  });
})();
