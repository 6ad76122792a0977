// "Was this page helpful?": post the vote as JSON and show the new counts; the form works without this too.
// A random voter id kept in localStorage goes with each vote, so voting again on a page changes the vote.
// Focus stays on the pressed button, and the status line (a live region) says what happened.
(function () {
  var box = document.getElementById("feedback");
  if (!box || !window.fetch) return;
  var api = box.getAttribute("data-api") || "";
  var page = box.getAttribute("data-page");
  var form = box.querySelector("form");
  var status = document.getElementById("fb-status");
  var buttons = form.querySelectorAll("button[name=helpful]");
  function voter() {
    try {
      var id = localStorage.getItem("portatlas-voter");
      if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
        var bytes = new Uint8Array(16);
        crypto.getRandomValues(bytes);
        id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        localStorage.setItem("portatlas-voter", id);
      }
      return id;
    } catch (e) { return null; }  // storage refused: the vote goes anonymous
  }
  function show(c) {
    document.getElementById("fb-yes").textContent = c.yes;
    document.getElementById("fb-no").textContent = c.no;
  }
  function say(text) { status.textContent = text; }
  if (box.getAttribute("data-load")) {
    fetch(api + "/api/feedback?page=" + encodeURIComponent(page)).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (c) { if (c) show(c); }).catch(function () {});
  }
  form.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    if (!btn) return;  // old browsers: let the form post itself
    ev.preventDefault();
    var yes = btn.value === "yes";
    var body = {page: page, helpful: yes};
    var id = voter();
    if (id) body.voter = id;
    var comment = form.elements.comment.value.trim();
    if (comment) body.comment = comment;
    fetch(api + "/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"},
                                   body: JSON.stringify(body)}).then(function (r) {
      return r.json().then(function (data) { return {ok: r.ok, data: data}; });
    }).then(function (res) {
      if (res.ok) {
        show(res.data);
        Array.prototype.forEach.call(buttons, function (b) { b.setAttribute("aria-pressed", b === btn ? "true" : "false"); });
        say("Thank you: your vote (" + (yes ? "yes" : "no") + ") is counted. " + res.data.yes +
            " found this page helpful, " + res.data.no + " did not. Vote again to change it.");
      } else {
        say((res.data.error && res.data.error.message) || "Your vote was not stored.");
      }
    }).catch(function () {
      say("Your vote could not be sent; please try again later.");
    });
  });
})();
