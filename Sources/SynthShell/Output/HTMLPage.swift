import Foundation

/// Self-contained HTML documents: styles inline, figures as inline SVG, nothing fetched.
enum HTMLPage {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let style = """
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
        .wide { overflow-x: auto; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; } th { background: #f3f3f3; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .figures { display: flex; flex-wrap: wrap; gap: 1em; }
        .note { color: #666; font-size: 0.9em; }
        code { background: #f5f5f5; padding: 0 0.2em; }
        """

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}
