import Foundation

/// Writes `Table`s as CSV (RFC 4180, LF line ends, a final newline; missing cells empty).
public enum CSVWriter {
    public static func render(_ table: Table) -> String {
        var out = table.columnNames.map(quoteIfNeeded).joined(separator: ",") + "\n"
        // A datetime column whose values are all midnight is written as dates.
        let dateOnly = table.columns.map(\.holdsDatesOnly)
        for row in 0..<table.rowCount {
            var first = true
            for (index, column) in table.columns.enumerated() {
                if !first { out += "," }
                first = false
                if column.isMissing(row) { continue }
                if dateOnly[index], case .datetime(let values) = column.values {
                    out += DateTimeFormat.format(microseconds: values[row], dateOnly: true)
                } else if let text = column.text(at: row) {
                    out += quoteIfNeeded(text)
                }
            }
            out += "\n"
        }
        return out
    }

    /// Writes atomically: to a temporary file beside `path`, then renamed over it, so a reader
    /// never sees half a file and a failure leaves any previous file untouched. A path that ends
    /// in `.gz` gets the text compressed with gzip.
    public static func write(_ table: Table, to path: String) throws {
        try AtomicFile.write(text: render(table), to: path)
    }

    static func quoteIfNeeded(_ text: String) -> String {
        let needsQuotes = text.utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
            || text.first == " " || text.last == " " || text.isEmpty
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Whole-file writes that never leave a partial file behind.
public enum AtomicFile {
    /// Writes text, compressed with gzip when the path ends in `.gz` (`r.csv.gz`).
    public static func write(text: String, to path: String) throws {
        let bytes = Array(text.utf8)
        try write(Data(Gzip.names(path) ? Gzip.compress(bytes) : bytes), to: path)
    }

    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AtomicFileError(path: path, reason: "the folder \(directory.path) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw AtomicFileError(path: path, reason: "it is a folder")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw AtomicFileError(path: path, reason: "cannot create a file in \(directory.path)")
        }
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw AtomicFileError(path: path, reason: reason)
        }
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
