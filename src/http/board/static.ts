/**
 * The board's only script and style sheet, served from the app as files of their own (the CSP allows
 * 'self' and nothing inline). No build step: this is the whole front end.
 */
export const BOARD_JS = `// Live refresh: every data-refresh seconds, fetch this page again and swap its live parts ([data-live] by id).
(function () {
  var seconds = Number(document.body.getAttribute("data-refresh")) || 30;
  function refresh() {
    fetch(location.href, { credentials: "same-origin", headers: { "x-board-refresh": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var fresh = new DOMParser().parseFromString(text, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (part) {
          var next = part.id ? fresh.getElementById(part.id) : null;
          if (next) part.replaceWith(next);
        });
      })
      .catch(function () {})
      .then(function () { setTimeout(refresh, seconds * 1000); });
  }
  setTimeout(refresh, seconds * 1000);
})();
`;

export const BOARD_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; }
header a { color: #cfe0ff; text-decoration: none; } header .who { margin-left: auto; color: #aab; }
main { padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
th { background: #eef0f3; font-weight: 600; }
tr.breached td.clock { background: #fde2e1; color: #9b1c1c; font-weight: 600; }
tr.at-risk td.clock { background: #fff3cd; color: #7a5200; }
tr.paused td.clock { background: #e7e9ee; color: #555; }
tr.running td.clock { background: #e3f6e8; color: #1c6b35; }
.badge { padding: 1px 6px; border-radius: 3px; font-size: 12px; }
.badge.breached { background: #fde2e1; color: #9b1c1c; } .badge.at-risk { background: #fff3cd; color: #7a5200; }
.badge.paused { background: #e7e9ee; color: #555; } .badge.running { background: #e3f6e8; color: #1c6b35; } .badge.met { background: #e3eefc; color: #1a4b8c; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 12px; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
.message { background: #fff; border: 1px solid #e3e6ea; margin: 8px 0; padding: 8px; }
.message.out { border-left: 4px solid #4a7bd0; } .message.in { border-left: 4px solid #8a8f99; }
.message pre { white-space: pre-wrap; word-break: break-word; font: inherit; margin: 6px 0 0; }
.meta { color: #666; font-size: 12px; }
.pager { margin: 12px 0; display: flex; gap: 16px; }
svg.timeline { background: #fff; border: 1px solid #e3e6ea; }
.bar { height: 12px; background: #d9dde3; } .note { color: #666; }
`;
