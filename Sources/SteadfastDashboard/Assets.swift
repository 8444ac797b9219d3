/// The dashboard's CSS and JavaScript, embedded in the binary: no CDN, no build step, offline.
enum Assets {
    static let css = """
        :root { --fg: #1d232a; --muted: #66707a; --line: #dde2e7; --bg: #f7f8fa; --accent: #2456c9;
                --ok: #1f8a4c; --bad: #c0392b; --warn: #b9770e; --wait: #7d3c98; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; gap: 24px; align-items: center; padding: 10px 20px; background: #fff; border-bottom: 1px solid var(--line); }
        header .brand { font-weight: 700; letter-spacing: .02em; }
        header nav a { margin-right: 16px; color: var(--muted); text-decoration: none; }
        header nav a.active, header nav a:hover { color: var(--fg); }
        header .mode { margin-left: auto; color: var(--warn); }
        main { padding: 20px; max-width: 1400px; }
        h1 { font-size: 20px; margin: 0 0 12px; word-break: break-all; }
        h2 { font-size: 15px; margin: 22px 0 8px; }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); background: #fbfcfd; }
        td.id { font-family: ui-monospace, monospace; word-break: break-all; }
        a { color: var(--accent); }
        pre { background: #fff; border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 320px; margin: 0; }
        .status { font-weight: 600; }
        .status-succeeded { color: var(--ok); } .status-failed, .status-dead { color: var(--bad); }
        .status-cancelled { color: var(--muted); } .status-running { color: var(--accent); }
        .status-waiting { color: var(--wait); } .status-enqueued { color: var(--warn); }
        .counts { display: flex; gap: 10px; flex-wrap: wrap; margin: 0 0 12px; }
        .counts a { background: #fff; border: 1px solid var(--line); padding: 4px 10px; border-radius: 12px; text-decoration: none; }
        form.filters { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 12px; align-items: end; }
        form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        input, select, button { font: inherit; padding: 4px 8px; }
        button { cursor: pointer; border: 1px solid var(--line); background: #fff; border-radius: 4px; }
        button.danger { color: var(--bad); border-color: var(--bad); }
        .actions { display: flex; gap: 10px; flex-wrap: wrap; margin: 12px 0; }
        .actions form { display: flex; gap: 6px; align-items: center; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
        .notice { background: #fff8e1; border: 1px solid #f1d68b; padding: 8px 12px; margin-bottom: 12px; }
        .error { background: #fdecea; border: 1px solid #f5b7b1; padding: 8px 12px; margin-bottom: 12px; }
        .timeline { background: #fff; border: 1px solid var(--line); padding: 8px 10px; }
        .timeline .row { display: grid; grid-template-columns: 220px 1fr 170px; gap: 10px; align-items: center; padding: 2px 0; }
        .timeline .track { position: relative; height: 14px; background: #f0f2f5; }
        .timeline .bar { position: absolute; top: 0; height: 14px; min-width: 2px; background: var(--accent); }
        .timeline .bar.failed { background: var(--bad); } .timeline .bar.earlier { background: #9fb3e3; }
        .timeline .label { font-family: ui-monospace, monospace; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .timeline .meta { color: var(--muted); font-size: 12px; }
        .pager { margin: 12px 0; }
        """

    static let javascript = """
        // Live pages: the server sends `change` when what the page shows has changed; the page
        // fetches itself and replaces its <main>, keeping the scroll position.
        (function () {
          var live = document.body.getAttribute('data-live');
          if (!live || !window.EventSource) return;
          var refreshing = false;
          function refresh() {
            if (refreshing) return;
            refreshing = true;
            fetch(window.location.href, { headers: { 'X-Steadfast-Fragment': '1' } })
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) {
                if (html === null) return;
                var doc = new DOMParser().parseFromString(html, 'text/html');
                var fresh = doc.getElementById('main');
                var main = document.getElementById('main');
                if (fresh && main && !main.contains(document.activeElement)) { main.innerHTML = fresh.innerHTML; }
              })
              .finally(function () { refreshing = false; });
          }
          var source = new EventSource(live);
          source.addEventListener('change', refresh);
        })();
        // Forms that ask first (bulk actions, cancel).
        document.addEventListener('submit', function (event) {
          var question = event.target.getAttribute('data-confirm');
          if (question && !window.confirm(question)) event.preventDefault();
        });
        """
}
