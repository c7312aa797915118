import Foundation
import SynthKit

/// A table to show or export: schemas, heads, summaries, experiment results.
public struct ResultTable: Equatable, Sendable {
    public enum Cell: Equatable, Sendable {
        case text(String)
        case integer(Int)
        /// A number shown with `digits` decimals in text modes and exactly in CSV and JSON.
        case number(Double, digits: Int)
        /// A table's value as its CSV text, aligned as text; in JSON a number or boolean when
        /// `literal` (the text is then valid JSON), else a string.
        case datum(String, literal: Bool)
        /// A mean over seeds and its sample standard deviation (nil over one seed): one cell for
        /// people, "0.9626 ± 0.0049"; two columns in CSV and JSON, NAME and NAME sd.
        case estimate(Double, sd: Double?, digits: Int)
        case empty

        var isNumeric: Bool {
            switch self {
            case .integer, .number, .estimate: true
            default: false
            }
        }

        /// The cell as text for people (table, markdown, LaTeX).
        var shown: String { shown(marking: { $0 }) }

        /// The cell as text for people, with `mark` applied to its value: to the mean alone of an
        /// estimate, so that the mark of the best mean does not read as part of its spread. The
        /// text is passed through `escape` before it is marked.
        func shown(marking mark: (String) -> String, escape: (String) -> String = { $0 }) -> String {
            switch self {
            case .text(let text), .datum(let text, _): mark(escape(text))
            case .integer(let value): mark(escape(String(value)))
            case .number(let value, let digits): mark(escape(Self.format(value, digits)))
            // An estimate keeps its decimals for a small mean or spread: 0.0000 beside its mean says
            // how little the seeds moved it.
            case .estimate(let mean, let sd, let digits):
                mark(escape(Self.format(mean, digits, small: false))) + (sd.map { escape(" ± " + Self.format($0, digits, small: false)) } ?? "")
            case .empty: ""
            }
        }

        /// `digits` decimals, or as many significant digits in scientific notation for a value that
        /// would take more than fifteen digits before its point, or (with `small`) that those
        /// decimals would show as zero.
        private static func format(_ value: Double, _ digits: Int, small: Bool = true) -> String {
            if value.isNaN { return "NaN" }
            let tiny = small && value != 0 && value.magnitude < 0.5 * pow(10, -Double(digits))
            if value.isFinite, tiny || value.magnitude >= 1e15 { return String(format: "%.\(digits)e", value) }
            return String(format: "%.\(digits)f", value)
        }

        /// The cell as data (CSV): every digit kept.
        var exact: String {
            switch self {
            case .number(let value, _): formatDouble(value)
            default: shown
            }
        }
    }

    public var columns: [String]
    public var rows: [[Cell]]
    /// Cells to set apart (the best value of a column): bold in Markdown, LaTeX and HTML, marked
    /// with `*` in the boxed table, plain in CSV and JSON.
    public var emphasized: Set<Position> = []

    public struct Position: Hashable, Sendable {
        public var row: Int, column: Int
        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    public init(columns: [String], rows: [[Cell]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The rows' cells as text for people, emphasis marked with `mark`.
    func shownRows(_ mark: (String) -> String) -> [[String]] {
        rows.enumerated().map { r, row in
            row.enumerated().map { c, cell in
                emphasized.contains(Position(row: r, column: c)) ? cell.shown(marking: mark) : cell.shown
            }
        }
    }

    /// The table as data: each column that holds estimates split in two, the means under its
    /// name and the standard deviations under NAME sd, every cell a plain number (CSV, JSON).
    func asData() -> ResultTable {
        let split = columns.indices.map { index in rows.contains { if case .estimate = $0[index] { true } else { false } } }
        guard split.contains(true) else { return self }
        var data = ResultTable(columns: columns.indices.flatMap { split[$0] ? [columns[$0], columns[$0] + " sd"] : [columns[$0]] }, rows: [])
        data.rows = rows.map { row in
            row.indices.flatMap { index -> [Cell] in
                guard split[index] else { return [row[index]] }
                guard case .estimate(let mean, let sd, let digits) = row[index] else { return [row[index], .empty] }
                return [.number(mean, digits: digits), sd.map { .number($0, digits: digits) } ?? .empty]
            }
        }
        return data
    }
}

/// How result tables are written (`.mode`, `export(format:)`).
public enum OutputMode: String, CaseIterable, Sendable {
    case table, markdown, csv, json, latex, html

    /// The mode that a file name's extension asks for.
    /// The format a file's extension names; under a `.gz`, the extension before it (`r.csv.gz`).
    public static func forPath(_ path: String) -> OutputMode? {
        var url = URL(fileURLWithPath: path)
        if url.pathExtension.lowercased() == "gz" { url.deletePathExtension() }
        return switch url.pathExtension.lowercased() {
        case "md", "markdown": .markdown
        case "csv": .csv
        case "json": .json
        case "tex", "latex": .latex
        case "txt": .table
        case "html", "htm": .html
        default: nil
        }
    }
}

extension ResultTable {
    /// The table in `mode`. Given the screen's `width`, a boxed table wider than it is cut into
    /// blocks of columns that fit, one under the other, each led by the table's leading text
    /// columns (table, generator) so that every block's rows can be read on their own.
    public func render(_ mode: OutputMode, width: Int? = nil) -> String {
        switch mode {
        case .table: width.map(renderFolded) ?? renderBoxed()
        case .markdown: renderMarkdown()
        case .csv: asData().renderCSV()
        case .json: asData().renderJSON()
        case .latex: renderLaTeX()
        case .html: HTMLPage.document(title: "SynthLab results", body: renderHTMLTable())
        }
    }

    /// The table as an HTML `<table>` (numbers right-aligned, the best in bold), in a box that
    /// scrolls sideways when the table is wider than the page.
    func renderHTMLTable() -> String {
        let numeric = numericColumns()
        var out = "<div class=\"wide\">\n<table>\n<thead><tr>" + columns.map { "<th>\(HTMLPage.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (r, row) in rows.enumerated() {
            out += "<tr>" + row.enumerated().map { c, cell in
                let text = cell.shown(marking: emphasized.contains(Position(row: r, column: c)) ? { "<strong>\($0)</strong>" } : { $0 },
                                      escape: HTMLPage.escape)
                return numeric[c] ? "<td class=\"n\">\(text)</td>" : "<td>\(text)</td>"
            }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    private func numericColumns() -> [Bool] {
        columns.indices.map { index in
            let cells = rows.map { $0[index] }.filter { $0 != .empty }
            return !cells.isEmpty && cells.allSatisfy(\.isNumeric)
        }
    }

    /// Each column's width with emphasis marked by `mark`.
    private func widths(_ mark: (String) -> String) -> [Int] {
        let shown = shownRows(mark)
        return columns.indices.map { index in
            max(columns[index].count, shown.map { $0[index].count }.max() ?? 0)
        }
    }

    private func pad(_ text: String, _ width: Int, right: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    /// The boxed table; the columns `wrapped` names (column → width) hold their text on as many
    /// lines as it takes at that width, broken between words.
    private func renderBoxed(wrapped: [Int: Int] = [:]) -> String {
        var widths = widths { $0 + "*" }
        let numeric = numericColumns()
        for (column, width) in wrapped { widths[column] = width }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String], header: Bool) -> String {
            "| " + cells.enumerated().map { pad($1, widths[$0], right: !header && numeric[$0]) }.joined(separator: " | ") + " |"
        }
        func lines(_ cells: [String], header: Bool) -> [String] {
            let pieces = cells.enumerated().map { column, text in wrapped[column].map { Self.wrap(text, $0) } ?? [text] }
            let height = pieces.map(\.count).max() ?? 1
            return (0..<height).map { row in line(pieces.map { row < $0.count ? $0[row] : "" }, header: header) }
        }
        var out = [rule] + lines(columns, header: true) + [rule]
        for row in shownRows({ $0 + "*" }) { out += lines(row, header: false) }
        out.append(rule)
        return out.joined(separator: "\n") + "\n"
    }

    /// `text` in lines of at most `width` characters, broken at blanks (a word longer than a line
    /// is cut).
    static func wrap(_ text: String, _ width: Int) -> [String] {
        guard text.count > width, width > 0 else { return [text] }
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            if !current.isEmpty, current.count + 1 + word.count <= width {
                current += " " + word
                continue
            }
            if !current.isEmpty { lines.append(current) }
            while word.count > width {
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            current = word
        }
        lines.append(current)
        return lines
    }

    /// The boxed table in blocks of columns no wider than `width` (a column wider than that on
    /// its own gets a block of its own).
    private func renderFolded(_ width: Int) -> String {
        let widths = widths { $0 + "*" }, numeric = numericColumns()
        /// A line's length with columns this wide ("| " before each, " |" after the last).
        func length(_ widths: [Int]) -> Int { widths.reduce(1) { $0 + $1 + 3 } }
        func span(_ columns: [Int]) -> Int { length(columns.map { widths[$0] }) }
        guard length(widths) > width else { return renderBoxed() }
        // A table made wide by text (a help column, notes, long labels) fits by wrapping that
        // text, when every wrapped column keeps a width of at least 12: the widest text columns
        // narrow, one at a time, to what the others leave.
        var wrapped: [Int: Int] = [:]
        var fitted = widths
        let text = columns.indices.filter { !numeric[$0] }.sorted { widths[$0] > widths[$1] }
        for column in text where fitted[column] > 12 {
            let room = width - (length(fitted) - fitted[column])
            if room >= fitted[column] { break }
            fitted[column] = Swift.max(12, room)
            wrapped[column] = fitted[column]
            if length(fitted) <= width { return renderBoxed(wrapped: wrapped) }
        }
        // A table of text alone has nothing to fold: it is as narrow as wrapping makes it.
        if !wrapped.isEmpty, !numeric.contains(true) { return renderBoxed(wrapped: wrapped) }
        // The leading text columns repeat in every block, as many as leave room for the widest
        // of the others beside them.
        let leading = Array(columns.indices.prefix { !numeric[$0] })
        let widest = columns.indices.dropFirst(leading.count).map { widths[$0] + 3 }.max() ?? 0
        var keys: [Int] = []
        for index in leading {
            guard span(keys + [index]) + widest <= width else { break }
            keys.append(index)
        }
        var blocks: [[Int]] = []
        for index in columns.indices.dropFirst(keys.count) {
            if let last = blocks.last, span(keys + last + [index]) <= width {
                blocks[blocks.count - 1].append(index)
            } else {
                blocks.append([index])
            }
        }
        return blocks.map { block in
            let picked = keys + block
            var part = ResultTable(columns: picked.map { columns[$0] }, rows: rows.map { row in picked.map { row[$0] } })
            part.emphasized = Set(emphasized.compactMap { position in
                picked.firstIndex(of: position.column).map { Position(row: position.row, column: $0) }
            })
            return part.renderBoxed()
        }.joined(separator: "\n")
    }

    private func renderMarkdown() -> String {
        let widths = widths { "**" + $0 + "**" }.map { max($0, 3) }, numeric = numericColumns()
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        func line(_ cells: [String], header: Bool) -> String {
            "| " + cells.enumerated().map { pad(escape($1), widths[$0], right: !header && numeric[$0]) }.joined(separator: " | ") + " |"
        }
        let separator = "| " + widths.enumerated().map { index, width in
            numeric[index] ? String(repeating: "-", count: width - 1) + ":" : String(repeating: "-", count: width)
        }.joined(separator: " | ") + " |"
        return ([line(columns, header: true), separator] + shownRows { "**" + $0 + "**" }.map { line($0, header: false) })
            .joined(separator: "\n") + "\n"
    }

    private func renderCSV() -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text != text.trimmingCharacters(in: .whitespaces) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let lines = [columns.map(field).joined(separator: ",")] + rows.map { $0.map { field($0.exact) }.joined(separator: ",") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func renderJSON() -> String {
        let objects: [JSONOrdered] = rows.map { row in
            JSONOrdered(fields: zip(columns, row).map { name, cell in
                let value: JSONOrdered.Value = switch cell {
                case .text(let text): .string(text)
                case .datum(let text, let literal): literal ? .number(text) : .string(text)
                case .integer(let value): .number(String(value))
                case .number(let value, _): value.isFinite ? .number(formatDouble(value)) : .null
                case .estimate(let mean, _, _): mean.isFinite ? .number(formatDouble(mean)) : .null
                case .empty: .null
                }
                return (name, value)
            })
        }
        if objects.isEmpty { return "[]\n" }
        return "[\n" + objects.map { "  " + $0.text }.joined(separator: ",\n") + "\n]\n"
    }

    private func renderLaTeX() -> String {
        let numeric = numericColumns()
        let spec = numeric.map { $0 ? "r" : "l" }.joined()
        func escape(_ text: String) -> String {
            var result = ""
            for character in text {
                switch character {
                case "\\": result += "\\textbackslash{}"
                case "&", "%", "$", "#", "_", "{", "}": result += "\\\(character)"
                case "~": result += "\\textasciitilde{}"
                case "^": result += "\\textasciicircum{}"
                case "±": result += "$\\pm$"
                case "ε": result += "$\\varepsilon$"
                default: result.append(character)
                }
            }
            return result
        }
        var lines = ["\\begin{tabular}{\(spec)}", "\\toprule", columns.map(escape).joined(separator: " & ") + " \\\\", "\\midrule"]
        lines += rows.enumerated().map { r, row in
            row.enumerated().map { c, cell in
                cell.shown(marking: emphasized.contains(Position(row: r, column: c)) ? { "\\textbf{\($0)}" } : { $0 }, escape: escape)
            }.joined(separator: " & ") + " \\\\"
        }
        lines += ["\\bottomrule", "\\end{tabular}"]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A JSON object that keeps its keys in order.
struct JSONOrdered {
    enum Value {
        case string(String), number(String), null
    }
    var fields: [(String, Value)]

    var text: String {
        "{" + fields.map { key, value in
            let rendered: String = switch value {
            case .string(let text): jsonString(text)
            case .number(let text): text
            case .null: "null"
            }
            return "\(jsonString(key)): \(rendered)"
        }.joined(separator: ", ") + "}"
    }
}

func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
        }
    }
    return result + "\""
}
