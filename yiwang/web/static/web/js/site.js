/*
 * 一网 site behaviour. Loaded with `defer` from web/base.html; no inline scripts anywhere (CSP).
 *
 * Declarative hooks other templates can use without writing JavaScript:
 *   [data-nav-toggle]            button that opens/closes the element named by aria-controls (phone nav)
 *   form[data-confirm="..."]     asks before submitting (also on a submit button)
 *   [data-autosubmit]            a select/checkbox/form that submits its form when changed
 *   [data-print]                 button that opens the print dialog (receipts)
 *   [data-dismiss]               button that removes its closest .message
 *   [data-copy="text"]           button that copies text to the clipboard
 *   [data-nav-group]             staff menu: its .nav-group-toggle button discloses its .nav-menu list
 *   .table-wrap                  becomes a focusable region named by its caption or the heading before it
 *   input[type=file]             every one becomes the upload control (web/_upload.html); data-upload="native" opts out
 *   select[data-filterable]      more than 15 options: a filter box above it
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // Phone navigation disclosure.
    document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("aria-controls"));
      if (!target) return;
      button.hidden = false;
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        target.classList.toggle("is-open", open);
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          button.setAttribute("aria-expanded", "false");
          target.classList.remove("is-open");
          button.focus();
        }
      });
    });
    initNavGroups();
  });

  // Staff menus: disclosure buttons, not hover menus (touch and keyboard work the same way).
  // Esc closes and returns focus to the button; leaving the menu (focus or click) closes it;
  // arrow keys move between the links. Without JS the CSS shows every link inline.
  function setGroup(group, open) {
    var button = group.querySelector(".nav-group-toggle");
    group.classList.toggle("is-open", open);
    if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function initNavGroups() {
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-nav-group]"));
    if (!groups.length) return;
    function closeAll(except) {
      groups.forEach(function (g) { if (g !== except) setGroup(g, false); });
    }
    groups.forEach(function (group) {
      var button = group.querySelector(".nav-group-toggle");
      if (!button) return;
      var links = function () { return Array.prototype.slice.call(group.querySelectorAll(".nav-menu a")); };
      button.addEventListener("click", function () {
        var open = !group.classList.contains("is-open");
        closeAll(group);
        setGroup(group, open);
      });
      group.addEventListener("keydown", function (event) {
        var open = group.classList.contains("is-open");
        var items = links();
        var index = items.indexOf(document.activeElement);
        if (event.key === "Escape" && open) {
          event.stopPropagation();
          setGroup(group, false);
          button.focus();
        } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          if (!items.length) return;
          event.preventDefault();
          if (!open) { closeAll(group); setGroup(group, true); }
          var step = event.key === "ArrowDown" ? 1 : -1;
          var next = index < 0 ? (step > 0 ? 0 : items.length - 1) : (index + step + items.length) % items.length;
          items[next].focus();
        } else if ((event.key === "Home" || event.key === "End") && index >= 0) {
          event.preventDefault();
          items[event.key === "Home" ? 0 : items.length - 1].focus();
        }
      });
      group.addEventListener("focusout", function (event) {
        if (event.relatedTarget && !group.contains(event.relatedTarget)) setGroup(group, false);
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest("[data-nav-group]")) closeAll(null);
    });
  }

  // Confirmation before dangerous submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    var auto = el.closest("[data-autosubmit]");
    if (!auto || !el.form) return;
    if (el.form.requestSubmit) el.form.requestSubmit();
    else el.form.submit();
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-print], [data-dismiss], [data-copy]");
    if (!el) return;
    if (el.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (el.hasAttribute("data-dismiss")) {
      var message = el.closest(".message");
      if (message) message.remove();
    } else if (el.hasAttribute("data-copy") && navigator.clipboard) {
      navigator.clipboard.writeText(el.getAttribute("data-copy")).then(function () {
        el.setAttribute("data-copied", "true");
      });
    }
  });

  // Wide tables scroll sideways inside .table-wrap (on phones, most do). A keyboard user can
  // only scroll a region that takes focus, and a screen reader announces it only when it is
  // a named region (axe: scrollable-region-focusable). Done here, once for every wrapper,
  // including those htmx swaps in later, so no template has to remember it; a wrapper that
  // already has tabindex/role/label keeps its own.
  function headingBefore(el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev;
        var inner = prev.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1];
      }
    }
    return null;
  }

  function labelScrollRegions(scope) {
    if (!scope || !scope.querySelectorAll) return;
    var wraps = Array.prototype.slice.call(scope.querySelectorAll(".table-wrap"));
    if (scope.matches && scope.matches(".table-wrap")) wraps.push(scope);
    wraps.forEach(function (wrap) {
      if (!wrap.hasAttribute("tabindex")) wrap.tabIndex = 0;
      if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
      if (wrap.hasAttribute("aria-label") || wrap.hasAttribute("aria-labelledby")) return;
      var caption = wrap.querySelector("caption");
      var heading = caption ? null : headingBefore(wrap);
      var name = (caption || heading || {}).textContent || document.title;
      wrap.setAttribute("aria-label", name.replace(/\s+/g, " ").trim());
    });
  }

  ready(function () { labelScrollRegions(document); });
  document.addEventListener("htmx:load", function (event) { labelScrollRegions(event.target); });

  // ------------------------------------------------------------------ words
  // site.js has no catalogue of its own: web/base.html renders the translated words as JSON.
  var strings = null;
  function t(key, params) {
    if (strings === null) {
      var el = document.getElementById("ui-strings");
      try { strings = el ? JSON.parse(el.textContent) : {}; } catch (e) { strings = {}; }
    }
    var text = strings[key] == null ? "" : String(strings[key]);
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("%(" + name + ")s").join(String(params[name]));
    });
    return text.replace(/%%/g, "%");
  }
  var uid = 0;
  function toArray(list) { return Array.prototype.slice.call(list || []); }

  // ----------------------------------------------------------- upload control
  // Every <input type=file> becomes: the real input (visually hidden, still focusable and
  // labelled), a "Choose files" button that is a <label> of it, a status line (aria-live) and
  // the list of chosen files with size, a preview for pictures and a remove button. Removing
  // rebuilds input.files through DataTransfer. A multiple input adds each new choice to the
  // list (a phone camera takes one photo per choice). Markup from web/_upload.html is reused;
  // a bare input is wrapped here. data-upload="native" on an input opts out.
  var canRebuild = (function () {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; } catch (e) { return false; }
  })();
  var UPLOAD_ICON = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 16V4M7 9l5-5 5 5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3"/></svg>';

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(bytes < 10240 ? 1 : 0) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function part(box, selector, tag, className) {
    var el = box.querySelector(selector);
    if (!el) {
      el = document.createElement(tag);
      el.className = className;
      box.appendChild(el);
    }
    return el;
  }

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  function enhanceUpload(input) {
    if (input.hasAttribute("data-upload-ready") || input.getAttribute("data-upload") === "native") return;
    input.setAttribute("data-upload-ready", "");
    if (!input.id) input.id = "upload-" + (++uid);
    var box = input.closest("[data-upload]");
    if (!box) {
      box = document.createElement("div");
      box.className = "upload";
      box.setAttribute("data-upload", "");
      input.parentNode.insertBefore(box, input);
      box.appendChild(input);
    }
    input.classList.add("upload-input");
    var button = box.querySelector(".upload-button");
    if (!button) {
      button = document.createElement("label");
      button.className = "btn btn-secondary upload-button";
      button.htmlFor = input.id;
      button.innerHTML = UPLOAD_ICON;
      button.appendChild(document.createTextNode(t(input.multiple ? "chooseFiles" : "chooseFile")));
      box.insertBefore(button, input.nextSibling);
    }
    var status = part(box, ".upload-status", "p", "upload-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var list = part(box, ".upload-list", "ul", "upload-list");
    var limit = Number(t("maxBytes")) || 0;
    var kept = [];
    var previews = [];

    function render(announce) {
      previews.forEach(function (url) { URL.revokeObjectURL(url); });
      previews = [];
      list.textContent = "";
      var files = toArray(input.files);
      files.forEach(function (file, index) {
        var item = document.createElement("li");
        item.className = "upload-item";
        if (/^image\//.test(file.type) && window.URL && URL.createObjectURL) {
          var img = document.createElement("img");
          var url = URL.createObjectURL(file);
          previews.push(url);
          img.src = url;
          img.alt = t("preview", { name: file.name });
          img.className = "upload-thumb";
          item.appendChild(img);
        } else {
          var icon = document.createElement("span");
          icon.className = "upload-icon";
          icon.setAttribute("aria-hidden", "true");
          icon.textContent = (file.name.split(".").pop() || "").slice(0, 4).toUpperCase();
          item.appendChild(icon);
        }
        var meta = document.createElement("span");
        meta.className = "upload-meta";
        var name = document.createElement("span");
        name.className = "upload-name";
        name.textContent = file.name;
        var size = document.createElement("span");
        size.className = "upload-size";
        size.textContent = formatSize(file.size);
        meta.appendChild(name);
        meta.appendChild(size);
        if (limit && file.size > limit) {
          item.classList.add("is-invalid");
          var error = document.createElement("span");
          error.className = "upload-error";
          error.textContent = t("tooLarge", { limit: formatSize(limit) });
          meta.appendChild(error);
        }
        item.appendChild(meta);
        if (canRebuild) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "btn btn-small btn-secondary upload-remove";
          remove.setAttribute("data-index", String(index));
          // The file's name only for screen readers: the visible word stays part of the name.
          remove.textContent = t("remove");
          var which = document.createElement("span");
          which.className = "sr-only";
          which.textContent = " " + file.name;
          remove.appendChild(which);
          item.appendChild(remove);
        }
        list.appendChild(item);
      });
      kept = files;
      box.classList.toggle("has-files", files.length > 0);
      var summary = files.length ? t("chosen", { count: files.length }) : t("noFile");
      status.textContent = announce ? announce + " " + summary : summary;
    }

    input.addEventListener("change", function () {
      var fresh = toArray(input.files);
      if (canRebuild && input.multiple && kept.length) {
        // Add to what was chosen before; a cancelled dialog (no files) keeps the list.
        var all = new DataTransfer();
        kept.forEach(function (f) { all.items.add(f); });
        fresh.forEach(function (f) {
          if (!kept.some(function (k) { return sameFile(k, f); })) all.items.add(f);
        });
        input.files = all.files;
      } else if (canRebuild && !fresh.length && kept.length) {
        var again = new DataTransfer();
        kept.forEach(function (f) { again.items.add(f); });
        input.files = again.files;
      }
      render();
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest(".upload-remove");
      if (!button) return;
      var index = Number(button.getAttribute("data-index"));
      var files = toArray(input.files);
      var removed = files[index];
      var rest = new DataTransfer();
      files.forEach(function (f, i) { if (i !== index) rest.items.add(f); });
      input.files = rest.files;
      render(removed ? t("removed", { name: removed.name }) : "");
      var buttons = list.querySelectorAll(".upload-remove");
      (buttons[Math.min(index, buttons.length - 1)] || input).focus();
    });

    if (canRebuild) {
      box.addEventListener("dragover", function (event) {
        event.preventDefault();
        box.classList.add("is-dragover");
      });
      box.addEventListener("dragleave", function () { box.classList.remove("is-dragover"); });
      box.addEventListener("drop", function (event) {
        event.preventDefault();
        box.classList.remove("is-dragover");
        var dropped = toArray(event.dataTransfer && event.dataTransfer.files);
        if (!dropped.length) return;
        var next = new DataTransfer();
        (input.multiple ? dropped : dropped.slice(0, 1)).forEach(function (f) { next.items.add(f); });
        input.files = next.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    render();
  }

  // Submitting a form with files: "Uploading…" and the submit buttons disabled (no second
  // submission). From PROGRESS_FROM bytes on the form is sent with XMLHttpRequest so the
  // upload shows real progress; its answer (the page a normal submission would show) then
  // replaces this document, and the address bar shows its URL.
  var PROGRESS_FROM = 512 * 1024;

  function uploadState(form) {
    var box = form.querySelector(".upload-progress");
    if (!box) {
      box = document.createElement("div");
      box.className = "upload-progress";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      var bar = document.createElement("progress");
      bar.max = 100;
      var text = document.createElement("span");
      box.appendChild(bar);
      box.appendChild(text);
      var anchor = form.querySelector("[type=submit]");
      var actions = anchor && (anchor.closest(".form-actions") || anchor);
      if (actions && actions.parentNode && form.contains(actions)) actions.parentNode.insertBefore(box, actions.nextSibling);
      else form.appendChild(box);
    }
    var progress = box.querySelector("progress");
    var label = box.querySelector("span");
    return {
      busy: function () {
        progress.removeAttribute("value");
        label.textContent = t("uploading");
      },
      percent: function (n) {
        progress.value = n;
        label.textContent = t("progress", { percent: n });
      },
      done: function () {
        progress.value = 100;
        label.textContent = t("uploaded");
      },
      fail: function () {
        box.classList.add("is-error");
        label.textContent = t("failed");
        release(form);
      },
    };
  }

  function submitButtons(form) {
    var own = toArray(form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"));
    return form.id ? own.concat(toArray(document.querySelectorAll("[form='" + form.id + "'][type=submit]"))) : own;
  }

  function hold(form) {
    form.setAttribute("data-uploading", "");
    submitButtons(form).forEach(function (b) { b.disabled = true; });
  }

  function release(form) {
    form.removeAttribute("data-uploading");
    submitButtons(form).forEach(function (b) { b.disabled = false; });
  }

  function sendWithProgress(form, submitter, state) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var action = (submitter && submitter.getAttribute("formaction")) ? submitter.formAction : form.action;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", action);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) state.percent(Math.round((event.loaded * 100) / event.total));
    });
    xhr.addEventListener("load", function () {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") !== 0) {
        if (xhr.responseURL && xhr.responseURL !== action) window.location.assign(xhr.responseURL);
        else state.fail();
        return;
      }
      state.done();
      var url = xhr.responseURL || action;
      document.open();
      document.write(xhr.responseText);
      document.close();
      try { window.history.replaceState(null, "", url); } catch (e) { /* other origin: keep */ }
    });
    ["error", "abort", "timeout"].forEach(function (name) { xhr.addEventListener(name, state.fail); });
    xhr.send(data);
    hold(form);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.tagName !== "FORM") return;
    var inputs = toArray(form.querySelectorAll("input[type=file]"));
    var total = 0;
    var count = 0;
    inputs.forEach(function (input) {
      toArray(input.files).forEach(function (f) { total += f.size; count += 1; });
    });
    if (!count) return;
    if (form.hasAttribute("data-uploading")) {
      event.preventDefault();
      return;
    }
    var state = uploadState(form);
    var post = (form.getAttribute("method") || "").toLowerCase() === "post";
    if (post && total >= PROGRESS_FROM && window.FormData && !form.hasAttribute("hx-post")) {
      event.preventDefault();
      state.busy();
      sendWithProgress(form, event.submitter, state);
      return;
    }
    state.busy();
    form.setAttribute("data-uploading", "");
    // Disabled after this tick: a button disabled now would drop its name=value from the data.
    window.setTimeout(function () { hold(form); }, 0);
  });

  // Back to a page from the cache: the form is usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    toArray(document.querySelectorAll("form[data-uploading]")).forEach(release);
    toArray(document.querySelectorAll(".upload-progress")).forEach(function (el) { el.remove(); });
  });

  // ------------------------------------------------------------ long pickers
  // A <select data-filterable> with more than FILTER_FROM options gets a filter box above it:
  // typing hides the options (and groups) whose text does not contain what was typed.
  var FILTER_FROM = 15;

  function enhanceFilterable(select) {
    if (select.hasAttribute("data-filter-ready") || select.options.length <= FILTER_FROM) return;
    select.setAttribute("data-filter-ready", "");
    if (!select.id) select.id = "select-" + (++uid);
    var box = document.createElement("div");
    box.className = "select-filter";
    var label = document.createElement("label");
    label.className = "sr-only";
    label.htmlFor = select.id + "-filter";
    var own = select.labels && select.labels[0] ? select.labels[0].textContent.trim() + " · " : "";
    label.textContent = own + t("filter");
    var field = document.createElement("input");
    field.type = "search";
    field.id = select.id + "-filter";
    field.className = "select-filter-input";
    field.placeholder = t("filterHint");
    field.autocomplete = "off";
    field.setAttribute("aria-controls", select.id);
    var count = document.createElement("span");
    count.className = "select-filter-count";
    count.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(field);
    box.appendChild(count);
    select.parentNode.insertBefore(box, select);
    field.addEventListener("input", function () {
      var query = field.value.trim().toLowerCase();
      var shown = 0;
      toArray(select.options).forEach(function (option) {
        var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label.toLowerCase() : "";
        var match = !query || !option.value || option.selected ||
          option.text.toLowerCase().indexOf(query) >= 0 || group.indexOf(query) >= 0;
        option.hidden = !match;
        if (match && option.value) shown += 1;
      });
      toArray(select.querySelectorAll("optgroup")).forEach(function (group) {
        group.hidden = !toArray(group.children).some(function (o) { return !o.hidden; });
      });
      count.textContent = query ? t("matches", { count: shown }) : "";
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function enhance(scope) {
    if (!scope || !scope.querySelectorAll) return;
    toArray(scope.querySelectorAll("input[type=file]")).forEach(enhanceUpload);
    toArray(scope.querySelectorAll("select[data-filterable]")).forEach(enhanceFilterable);
  }

  ready(function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
