// The offline café desk: check-ins, « + 1 visiteur » and registrations go into a queue kept in
// IndexedDB, sent to the site when the network is there (each with its own idempotency key, so
// a retry never doubles anything), and the site's answer is shown per action.
// What the tablet keeps: first name, last name and street of the perimeter's people for this
// café (store "desk"), and the actions not yet accepted (store "queue"); both are erased once
// sent, at the end of the café's day, and on logout (Clear-Site-Data, and « Effacer »).
(function () {
  "use strict";
  var root = document.getElementById("offline-desk");
  if (!root || !window.indexedDB || !window.fetch || !window.Promise) { return; }
  var texts = document.getElementById("textes").dataset;
  // <site>/static/, under the perimeter's prefix in a network (this file is <site>/static/js/…).
  var STATIC_ROOT = new URL("../", document.currentScript.src).pathname;
  var EVENT = Number(root.dataset.event);
  var ERASE_AFTER = Date.parse(root.dataset.eraseAfter);
  var DB_NAME = "coopere-desk", CACHE = "coopere-desk-v1", BATCH = 100;
  var state = { people: [], byId: {}, present: {}, counts: {}, queue: [], answers: [], csrf: "" };
  var sending = false;

  function t(name, values) {
    var text = texts[name.replace(/_([a-z])/g, function (m, c) { return c.toUpperCase(); })] || name;
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function dayOver() { return Date.now() >= ERASE_AFTER; }

  var store = window.CoopereDeskStore(DB_NAME, CACHE);
  var tx = store.tx, allOf = store.allOf, put = store.put, remove = store.remove;
  var forgetEverything = store.forgetEverything;

  // The end of the café's day: the names go; actions not accepted yet stay until sent,
  // exported or erased by an animator (never silently dropped).
  function eraseExpired() {
    return allOf("desk").then(function (rows) {
      return Promise.all(rows.filter(function (row) { return Date.now() >= row.erase_after; })
        .map(function (row) { return remove("desk", row.event); }));
    });
  }

  // --- what is shown ------------------------------------------------------------------------
  function waiting() { return state.queue.filter(function (item) { return item.status !== "refused"; }); }
  function plural(n, one, many) { return t(n === 1 ? one : many, { n: n }); }
  function summary() {
    var items = waiting(), regs = 0, checks = 0, visitors = 0;
    items.forEach(function (item) {
      if (item.type === "registration") { regs += 1; } else if (item.type === "check_in") { checks += 1; } else { visitors += 1; }
    });
    var parts = [];
    if (regs) { parts.push(plural(regs, "reg1", "regN")); }
    if (checks) { parts.push(plural(checks, "pres1", "presN")); }
    if (visitors) { parts.push(plural(visitors, "vis1", "visN")); }
    var text = parts.length ? t("waiting", { list: parts.slice(0, -1).join(", ") + (parts.length > 1 ? t("and") : "") + parts[parts.length - 1] }) : t("nothing");
    var refused = state.queue.length - items.length;
    if (refused) { text += " " + t("refused", { n: refused }); }
    return text;
  }
  function itemLabel(item) {
    if (item.type === "check_in") { return t("kind_check_in", { name: item.label }); }
    if (item.type === "registration") { return t("kind_registration", { name: item.label }); }
    return t("kind_visitor");
  }
  function queuedCheckIns() {
    var ids = {};
    state.queue.forEach(function (item) { if (item.type === "check_in" && item.status !== "refused") { ids[item.person] = true; } });
    return ids;
  }
  function button(label, onClick, secondary, hidden) {
    var node = el("button", { type: "button", "class": "button" + (secondary ? " button-secondary" : "") }, [
      document.createTextNode(label)]);
    if (hidden) { node.appendChild(el("span", { "class": "visually-hidden", text: " : " + hidden })); }
    node.addEventListener("click", onClick);
    return node;
  }
  function personRow(name, detail, action) {
    return el("li", { "class": "desk-person" }, [
      el("span", { "class": "desk-name" }, [el("strong", { text: name }), document.createTextNode(" "),
        detail ? el("span", { "class": "muted", text: detail }) : null]),
      action]);
  }
  function render() {
    var queued = queuedCheckIns();
    document.getElementById("file-resume").textContent = summary();
    var list = document.getElementById("file-liste");
    list.textContent = "";
    state.queue.forEach(function (item) {
      if (item.status !== "refused") { return; }
      var row = el("li", { "class": "desk-person" + (item.status === "refused" ? " refused" : "") }, [
        el("span", { "class": "desk-name" }, [el("strong", { text: itemLabel(item) }), document.createTextNode(" "),
          el("span", { "class": item.status === "refused" ? "error-text" : "muted",
            text: item.status === "refused" ? t("refused_item", { why: item.message }) : t("waiting_item") })])]);
      if (item.status === "refused") {
        if (item.link) { row.appendChild(el("a", { "class": "link-large", href: item.link, text: t("open_page") })); }
        row.appendChild(button(t("resend"), function () { resend(item, false); }, false, itemLabel(item)));
        if (item.type === "registration" && item.link) {
          row.appendChild(button(t("not_same"), function () { resend(item, true); }, true, itemLabel(item)));
        }
        row.appendChild(button(t("erase_item"), function () { eraseItem(item); }, true, itemLabel(item)));
      }
      list.appendChild(row);
    });
    list.hidden = !list.children.length;
    var answers = document.getElementById("reponses");
    answers.textContent = "";
    state.answers.slice(-30).reverse().forEach(function (answer) {
      answers.appendChild(el("li", { "class": "desk-person answer-" + answer.status }, [
        el("span", { "class": "desk-name" }, [el("strong", { text: t("status_" + answer.status) + " — " }),
          document.createTextNode(answer.message)]),
        answer.link ? el("a", { "class": "link-large", href: answer.link, text: t("open_page") }) : null]));
    });
    answers.hidden = !answers.children.length;
    var presentList = document.getElementById("liste-presents");
    presentList.textContent = "";
    var shown = 0;
    Object.keys(state.present).concat(Object.keys(queued)).forEach(function (id, index, all) {
      if (all.indexOf(id) !== index) { return; }
      var person = state.byId[id];
      var name = person ? person.first_name + " " + person.last_name : (state.queue.filter(function (i) { return String(i.person) === id; })[0] || {}).label;
      presentList.appendChild(personRow(name || "?", state.present[id] ? (person && person.street) || "" : t("waiting_item"), null));
      shown += 1;
    });
    state.queue.forEach(function (item) {
      if (item.type === "registration" && item.status !== "refused") {
        presentList.appendChild(personRow(item.label, t("newcomer_waiting"), null));
        shown += 1;
      }
    });
    if (!shown) { presentList.appendChild(el("li", { text: t("nobody_present") })); }
    var counts = state.counts || {};
    var pendingVisitors = waiting().filter(function (i) { return i.type === "visitor"; }).length;
    var pendingNew = waiting().filter(function (i) { return i.type === "registration"; }).length;
    document.getElementById("compte-presents").textContent = shown;
    document.getElementById("compte-nouveaux").textContent = (counts.newcomers || 0) + pendingNew;
    document.getElementById("compte-visiteurs").textContent = (counts.visitors || 0) + pendingVisitors;
    renderResults();
  }
  function renderResults() {
    var box = document.getElementById("resultats"), input = document.getElementById("q");
    if (!box || !input) { return; }
    box.textContent = "";
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    if (!words.length) { return; }
    if (!state.people.length) { box.appendChild(el("li", { text: t("no_names") })); return; }
    var queued = queuedCheckIns();
    var found = state.people.filter(function (person) {
      var key = fold(person.first_name + " " + person.last_name);
      return words.every(function (word) { return key.indexOf(word) !== -1; });
    }).slice(0, 20);
    if (!found.length) { box.appendChild(el("li", { text: t("no_one") })); return; }
    found.forEach(function (person) {
      var name = person.first_name + " " + person.last_name;
      var action = state.present[person.id] || queued[person.id]
        ? el("span", { "class": "badge badge-quiet", text: t("already") })
        : button(t("present_btn"), function () { checkIn(person); }, false, name);
      box.appendChild(personRow(name, person.street, action));
    });
  }
  function setNetwork() {
    var box = document.getElementById("reseau");
    box.textContent = navigator.onLine ? t("online") : t("offline");
    box.className = "notice notice-info" + (navigator.onLine ? "" : " offline");
  }
  function say(text) {
    var box = document.getElementById("message");
    box.textContent = text;
    box.hidden = !text;
  }

  // --- the actions --------------------------------------------------------------------------
  function enqueue(item) {
    item.key = newKey();
    item.event = EVENT;
    item.status = "waiting";
    item.at = new Date().toISOString();
    state.queue.push(item);
    return put("queue", item).then(function () { render(); send(); });
  }
  function checkIn(person) {
    return enqueue({ type: "check_in", person: person.id, label: person.first_name + " " + person.last_name });
  }
  function resend(item, notSame) {
    item.status = "waiting";
    item.message = "";
    if (notSame) { item.fields.not_duplicate = "y"; }
    put("queue", item).then(function () { render(); send(); });
  }
  function eraseItem(item) {
    if (!window.confirm(t("confirm_item", { what: itemLabel(item) }))) { return; }
    state.queue = state.queue.filter(function (other) { return other.key !== item.key; });
    remove("queue", item.key).then(render);
  }
  function registrationFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
    return fields;
  }

  // --- talking to the site --------------------------------------------------------------------
  function loggedOut(response) {
    return response.redirected || (response.headers.get("Content-Type") || "").indexOf("application/json") === -1;
  }
  function refresh() {
    return fetch(root.dataset.dataUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (loggedOut(response)) {
        state.people = []; state.byId = {};
        return remove("desk", EVENT).then(function () { say(t("logged_out")); return false; });
      }
      return response.json().then(function (data) {
        state.csrf = data.csrf;
        useData(data);
        if (dayOver()) { return true; } // after the café's day: the names stay in memory only
        return put("desk", { event: EVENT, erase_after: ERASE_AFTER, people: data.people,
          present: data.present, counts: data.counts }).then(function () { return true; });
      });
    });
  }
  function useData(data) {
    if (data.people) {
      state.people = data.people;
      state.byId = {};
      data.people.forEach(function (person) { state.byId[person.id] = person; });
    }
    state.present = {};
    (data.present || []).forEach(function (id) { state.present[id] = true; });
    state.counts = data.counts || {};
  }
  function payload(item) {
    var action = { key: item.key, type: item.type };
    if (item.type === "check_in") { action.person = item.person; }
    if (item.type === "registration") { action.fields = item.fields; action.card = item.card || ""; }
    return action;
  }
  function send() {
    if (sending || !navigator.onLine || !waiting().length) { return Promise.resolve(); }
    sending = true;
    say(t("sending"));
    return refresh().then(function (ok) {
      if (!ok) { return null; }
      var batch = waiting().slice(0, BATCH);
      return fetch(root.dataset.syncUrl, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRFToken": state.csrf },
        body: JSON.stringify({ actions: batch.map(payload) })
      }).then(function (response) {
        if (loggedOut(response)) { say(t("logged_out")); return null; }
        return response.json().then(function (data) {
          if (!response.ok) { say(data.error || t("send_failed")); return null; }
          return answer(data).then(function () { return batch.length === BATCH; });
        });
      });
    }).catch(function () { say(t("send_failed")); return null; })
      .then(function (more) {
        sending = false;
        render();
        if (more) { return send(); }
        if (more !== null) { say(""); }
        return null;
      });
  }
  function answer(data) {
    useData(data);
    var work = [];
    (data.results || []).forEach(function (result) {
      var item = state.queue.filter(function (other) { return other.key === result.key; })[0];
      if (!item) { return; }
      state.answers.push({ status: result.status, message: result.message, link: result.link || "" });
      if (result.status === "refused") {
        item.status = "refused"; item.message = result.message; item.link = result.link || "";
        work.push(put("queue", item));
      } else { // accepted or already recorded: erased from the tablet at once
        state.queue = state.queue.filter(function (other) { return other.key !== item.key; });
        work.push(remove("queue", item.key));
      }
    });
    if (!dayOver()) {
      work.push(tx(["desk"], "readwrite", function (transaction) {
        var store = transaction.objectStore("desk");
        var request = store.get(EVENT);
        request.onsuccess = function () {
          if (request.result) {
            request.result.present = data.present; request.result.counts = data.counts;
            store.put(request.result);
          }
        };
      }));
    }
    return Promise.all(work);
  }
  function exportQueue() {
    var blob = new Blob([JSON.stringify(state.queue, null, 2)], { type: "application/json" });
    var link = el("a", { href: URL.createObjectURL(blob), download: "file-accueil-cafe-" + EVENT + ".json" });
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  function eraseAll() {
    if (state.queue.length && !window.confirm(t("confirm_erase"))) { return; }
    forgetEverything().then(function () {
      state.people = []; state.byId = {}; state.queue = []; state.present = {};
      render();
      say(t("erased"));
    });
  }
  // Keep the page and the site's files for a reload without a network.
  function keepPage() {
    if (!("serviceWorker" in navigator) || !window.caches) { return; }
    navigator.serviceWorker.register(root.dataset.workerUrl, { scope: root.dataset.scope })
      .then(function () { return caches.open(CACHE); })
      .then(function (cache) {
        var urls = [location.pathname];
        performance.getEntriesByType("resource").forEach(function (entry) {
          var url = new URL(entry.name);
          if (url.origin === location.origin && url.pathname.indexOf(STATIC_ROOT) === 0) { urls.push(url.pathname + url.search); }
        });
        return Promise.all(urls.map(function (url) {
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) { return cache.put(url, response); }
            return null;
          });
        }));
      })
      .catch(function () { return null; });
  }

  // --- start ----------------------------------------------------------------------------------
  var form = document.getElementById("inscription");
  if (form) {
    form.addEventListener("submit", function (submitted) {
      submitted.preventDefault();
      var fields = registrationFields(form);
      var problem = document.getElementById("inscription-erreur");
      if (!(fields.first_name || "").trim() || !(fields.last_name || "").trim() || !fields.charter || !fields.privacy) {
        problem.textContent = t("form_missing");
        problem.hidden = false;
        return;
      }
      problem.hidden = true;
      var card = (fields.card || "").trim();
      delete fields.card;
      var label = fields.first_name.trim() + " " + fields.last_name.trim();
      enqueue({ type: "registration", fields: fields, card: card, label: label }).then(function () {
        form.reset();
        say(t("queued_registration", { name: label }));
        document.getElementById("file").scrollIntoView();
      });
    });
  }
  var visitor = document.getElementById("visiteur");
  if (visitor) { visitor.addEventListener("click", function () { enqueue({ type: "visitor" }); }); }
  var search = document.getElementById("q");
  if (search) { search.addEventListener("input", renderResults); }
  document.getElementById("envoyer").addEventListener("click", function () { send(); });
  document.getElementById("exporter").addEventListener("click", exportQueue);
  document.getElementById("effacer").addEventListener("click", eraseAll);
  window.addEventListener("online", function () { setNetwork(); send(); });
  window.addEventListener("offline", setNetwork);
  window.setInterval(function () {
    if (dayOver() && state.people.length) {
      eraseExpired().then(function () { state.people = []; state.byId = {}; render(); say(t("day_over")); });
    }
  }, 60000);

  setNetwork();
  eraseExpired()
    .then(function () {
      return Promise.all([tx(["desk"], "readonly", function (transaction) { return transaction.objectStore("desk").get(EVENT); }),
        allOf("queue")]);
    })
    .then(function (found) {
      if (found[0]) { useData(found[0]); }
      state.queue = (found[1] || []).filter(function (item) { return item.event === EVENT; });
      render();
      root.dataset.ready = "1";
      if (dayOver()) { say(t("day_over")); }
      if (navigator.onLine) {
        return refresh().then(function (ok) { render(); if (ok) { keepPage(); setNetwork(); return send(); } return null; })
          .catch(function () { setNetwork(); });
      }
      return null;
    })
    .catch(function () { say(t("send_failed")); });
})();
