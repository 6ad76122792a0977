// "Was this page helpful?": post the vote as JSON and show the new counts; the form works without this too.
(function () {
  var box = document.getElementById("feedback");
  if (!box || !window.fetch) return;
  var api = box.getAttribute("data-api") || "";
  var page = box.getAttribute("data-page");
  var form = box.querySelector("form");
  function show(c) {
    document.getElementById("fb-yes").textContent = c.yes;
    document.getElementById("fb-no").textContent = c.no;
  }
  if (box.getAttribute("data-load")) {
    fetch(api + "/api/feedback?page=" + encodeURIComponent(page)).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (c) { if (c) show(c); }).catch(function () {});
  }
  form.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    if (!btn) return;  // old browsers: let the form post itself
    ev.preventDefault();
    var body = {page: page, helpful: btn.value === "yes"};
    var comment = form.elements.comment.value.trim();
    if (comment) body.comment = comment;
    fetch(api + "/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"},
                                   body: JSON.stringify(body)}).then(function (r) {
      return r.json().then(function (data) { return {ok: r.ok, data: data}; });
    }).then(function (res) {
      var thanks = document.getElementById("fb-thanks");
      if (res.ok) {
        show(res.data);
        form.hidden = true;
        thanks.textContent = "Thank you.";
      } else {
        thanks.textContent = (res.data.error && res.data.error.message) || "Your vote was not stored.";
      }
      thanks.hidden = false;
    }).catch(function () {
      var thanks = document.getElementById("fb-thanks");
      thanks.textContent = "Your vote could not be sent; please try again later.";
      thanks.hidden = false;
    });
  });
})();
