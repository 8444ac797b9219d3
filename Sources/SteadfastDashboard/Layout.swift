/// The frame of every page: navigation, the page's main part, the embedded CSS and JavaScript.
enum Layout {
    /// A whole page. `live` is the SSE path whose `change` events make the page fetch itself
    /// again and replace its `<main>` (no reload); `body` is HTML already escaped.
    static func page(title: String, active: String, base: String, body: String, live: String? = nil,
                     readOnly: Bool) -> String {
        let nav = [("workflows", "Workflows", "/"), ("queues", "Queues", "/queues"), ("executors", "Executors", "/executors"),
                   ("schedules", "Schedules", "/schedules"), ("stranded", "Stranded", "/stranded")]
            .map { key, label, href in
                "<a href=\"\(HTML.escape(base + href))\"\(key == active ? " class=\"active\"" : "")>\(label)</a>"
            }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · Steadfast</title>
            <link rel="stylesheet" href="\(HTML.escape(base))/assets/dashboard.css">
            <script src="\(HTML.escape(base))/assets/dashboard.js" defer></script>
            </head><body\(live.map { " data-live=\"\(HTML.escape(base + $0))\"" } ?? "")>
            <header><span class="brand">Steadfast</span><nav>\(nav)</nav>\(readOnly ? "<span class=\"mode\">read-only</span>" : "")</header>
            <main id="main">
            \(body)
            </main>
            </body></html>
            """
    }
}
