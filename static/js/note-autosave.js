// Saves the note's draft every 30 seconds while it has unsaved changes. The page works without it:
// the "save draft" button posts the same form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var seconds = parseInt(form.getAttribute("data-autosave"), 10) || 30;
  var dirty = false;
  var saving = false;

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    if (!dirty || saving) {
      return;
    }
    saving = true;
    dirty = false;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Autosave": "1" },
    }).then(function (response) {
      if (response.status === 204) {
        say(form.getAttribute("data-saved-text") + " " + new Date().toLocaleTimeString());
      } else {
        dirty = true;
        say(form.getAttribute("data-failed-text"));
      }
    }).catch(function () {
      dirty = true;
      say(form.getAttribute("data-failed-text"));
    }).then(function () {
      saving = false;
    });
  }

  window.setInterval(save, seconds * 1000);
})();
