// The review desk (issue 14, point 3): keyboard shortcuts, and decisions sent with fetch()
// so that a row updates in place. A file, not inline script: the Content-Security-Policy
// allows scripts from this site only. Without it the desk's forms post and redirect back.
(function () {
  "use strict";

  const desk = document.getElementById("review-desk");
  if (!desk) return;
  let current = null;

  const rows = () => Array.from(desk.querySelectorAll("tr.desk-row"));
  const isOpen = (row) => !row.classList.contains("decided");

  function select(row) {
    if (current) current.classList.remove("current");
    current = row;
    if (row) row.classList.add("current");
  }

  function focusRow(row) {
    if (!row) return;
    select(row);
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = rows();
    const at = all.indexOf(current);
    const to = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    focusRow(all[to]);
  }

  // The next row still waiting for a decision, after ``row`` (wrapping round the page).
  function nextOpen(row) {
    const all = rows();
    const at = all.indexOf(row);
    return all.slice(at + 1).concat(all.slice(0, at)).find(isOpen);
  }

  function afterDecision(row) {
    const next = nextOpen(row);
    if (next) {
      focusRow(next);
      return;
    }
    const done = document.getElementById("desk-done");
    done.hidden = false;
    done.querySelector("a").focus();
  }

  async function send(form, submitter) {
    const row = form.closest("tr.desk-row");
    if (!isOpen(row) || row.classList.contains("busy")) return;
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    row.classList.add("busy");
    row.classList.remove("failed");
    let reply;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      reply = await response.json();
    } catch (error) {
      reply = { ok: false, message: "The desk could not reach the server: nothing was saved." };
    }
    row.classList.remove("busy");
    row.querySelector(".desk-outcome").textContent = reply.message;
    if (!reply.ok) {
      row.classList.add("failed");
      focusRow(row);
      return;
    }
    row.classList.add("decided", "decided-" + reply.status);
    row.querySelector(".desk-speaker-name").textContent = reply.speaker;
    row.querySelectorAll("button, input").forEach((control) => {
      control.disabled = true;
    });
    // The decided quote no longer waits: in all, in its band, and on this view.
    const counted = ["waiting", "all", row.dataset.band];
    counted.forEach((key) => {
      const count = document.querySelector(`[data-band-count="${key}"]`);
      if (count) count.textContent = Math.max(0, parseInt(count.textContent, 10) - 1);
    });
    afterDecision(row);
  }

  desk.addEventListener("submit", (event) => {
    event.preventDefault();
    send(event.target, event.submitter);
  });

  desk.addEventListener("focusin", (event) => {
    const row = event.target.closest("tr.desk-row");
    if (row && row !== current) select(row);
  });

  function press(selector) {
    if (!current || !isOpen(current)) return;
    const button = current.querySelector(selector);
    button.form.requestSubmit(button);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "c":
        press("button.desk-confirm");
        break;
      case "r":
        press("button.desk-reject");
        break;
      case "s":
        if (current && isOpen(current)) current.querySelector(".desk-speaker-input").focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // The speaker field: people from the admin's autocomplete (names and aliases).
  function speakerField(input) {
    const form = input.form;
    const row = form.closest("tr.desk-row");
    const chosen = form.querySelector("input[name=speaker]");
    const list = form.querySelector(".desk-options");
    let results = [];
    let active = -1;
    let asked = null; // the term last looked up
    let pending = Promise.resolve();
    let timer = null;

    function render() {
      list.replaceChildren(
        ...results.map((person, index) => {
          const option = document.createElement("li");
          option.id = list.id + "-" + index;
          option.setAttribute("role", "option");
          option.textContent = person.text;
          if (index === active) option.setAttribute("aria-selected", "true");
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(index);
          });
          return option;
        })
      );
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }

    function lookUp() {
      const term = input.value.trim();
      asked = term;
      if (!term) {
        results = [];
        active = -1;
        render();
        pending = Promise.resolve();
        return pending;
      }
      const url = desk.dataset.autocompleteUrl + "&term=" + encodeURIComponent(term);
      pending = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          if (asked !== term) return; // a later lookup answers for the field
          results = data.results || [];
          active = results.length ? 0 : -1;
          render();
        })
        .catch(() => {});
      return pending;
    }

    function choose(index) {
      chosen.value = results[index].id;
      input.value = results[index].text;
      results = [];
      active = -1;
      render();
      form.requestSubmit(form.querySelector("button.desk-set-speaker"));
    }

    input.addEventListener("input", () => {
      chosen.value = "";
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });

    input.addEventListener("keydown", async (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!results.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + results.length) % results.length;
        render();
      } else if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(timer);
        if (asked !== input.value.trim()) lookUp();
        await pending;
        if (active >= 0) choose(active);
        else if (input.value.trim()) form.requestSubmit(form.querySelector("button.desk-set-speaker"));
      } else if (event.key === "Escape") {
        event.preventDefault();
        results = [];
        active = -1;
        render();
        focusRow(row);
      }
    });

    input.addEventListener("blur", () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    });
  }

  desk.querySelectorAll(".desk-speaker-input").forEach(speakerField);

  const wanted = desk.dataset.focus && document.getElementById("quote-" + desk.dataset.focus);
  focusRow(wanted || rows().find(isOpen));
})();
