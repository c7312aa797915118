import Foundation

/// Writes `Table`s as CSV (RFC 4180, LF line ends, a final newline; missing cells empty).
public enum CSVWriter {
    /// The whole text at once; `chunks` hands it out in pieces instead.
    public static func render(_ table: Table) -> String {
        var text: [UInt8] = []
        chunks(table) { text += $0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// The CSV text of `table`, in order, in pieces of about `size` bytes (each a whole number of
    /// lines), so that a large table is written or hashed without its whole text in memory.
    public static func chunks(_ table: Table, size: Int = 1 << 22, _ body: ([UInt8]) throws -> Void) rethrows {
        var out: [UInt8] = []
        out.reserveCapacity(size + 4096)
        out += Array(table.columnNames.map(quoteIfNeeded).joined(separator: ",").utf8)
        out.append(10)
        let cells = table.columns.map(CellText.init)
        for row in 0..<table.rowCount {
            for (index, cell) in cells.enumerated() {
                if index > 0 { out.append(44) }
                cell.append(row, to: &out)
            }
            out.append(10)
            if out.count >= size {
                try body(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { try body(out) }
    }

    /// Writes atomically: to a temporary file beside `path`, then renamed over it, so a reader
    /// never sees half a file and a failure leaves any previous file untouched. A path that ends
    /// in `.gz` gets the text compressed with gzip.
    public static func write(_ table: Table, to path: String) throws {
        try AtomicFile.write(to: path) { emit in try chunks(table, emit) }
    }

    static func quoteIfNeeded(_ text: String) -> String {
        let needsQuotes = text.utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
            || text.first == " " || text.last == " " || text.isEmpty
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// How one column's cells are written: a category's text (quoted where it must be) is made
    /// once per category, an integer's digits without a string; a missing cell is empty.
    private struct CellText {
        let column: Column
        let levels: [[UInt8]]
        /// A datetime column whose values are all midnight is written as dates.
        let dateOnly: Bool

        init(_ column: Column) {
            self.column = column
            if case .categorical(_, let names) = column.values {
                levels = names.map { Array(quoteIfNeeded($0).utf8) }
            } else {
                levels = []
            }
            dateOnly = column.holdsDatesOnly
        }

        func append(_ row: Int, to out: inout [UInt8]) {
            if column.isMissing(row) { return }
            switch column.values {
            case .categorical(let codes, _): out += levels[Int(codes[row])]
            case .integer(let values): appendDigits(values[row], to: &out)
            case .continuous(let values): out += Array(formatDouble(values[row]).utf8)
            case .boolean(let values): out += values[row] ? Self.trueText : Self.falseText
            case .datetime(let values): out += Array(DateTimeFormat.format(microseconds: values[row], dateOnly: dateOnly).utf8)
            }
        }

        static let trueText = Array("true".utf8), falseText = Array("false".utf8)

        private func appendDigits(_ value: Int64, to out: inout [UInt8]) {
            if value < 0 { out.append(45) }
            // The magnitude as unsigned, so that Int64.min has one too.
            var magnitude = value.magnitude
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                out += buffer[(20 - count)...]
            }
        }
    }
}

/// Whole-file writes that never leave a partial file behind.
public enum AtomicFile {
    /// Writes text, compressed with gzip when the path ends in `.gz` (`r.csv.gz`).
    public static func write(text: String, to path: String) throws {
        try write(to: path) { emit in try emit(Array(text.utf8)) }
    }

    public static func write(_ data: Data, to path: String) throws {
        try write(to: path, compressing: false) { emit in try emit([UInt8](data)) }
    }

    /// Writes the bytes `produce` hands to its `emit`, in order, without holding them all: to a
    /// temporary file beside `path`, renamed over it once all are written. A failure (of
    /// `produce`, or of the disk: no space left) removes the temporary file and leaves any file at
    /// `path` as it was. With `compressing` (by default when `path` ends in `.gz`), the bytes are
    /// written compressed with gzip.
    /// A device, a pipe or a socket (what /dev/stdout leads to) is written into as it is, not
    /// replaced by a file of that name.
    public static func write(to path: String, compressing: Bool? = nil, _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AtomicFileError(path: path, reason: "the folder \(directory.path) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw AtomicFileError(path: path, reason: "it is a folder")
        }
        let destination = Destination(path)
        let special = destination != .file
        let temporary = special ? path : directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let descriptor: Int32
        switch destination {
        // The process's own descriptor (/dev/stdout): written through a copy, so its offset is shared.
        case .descriptor(let number): descriptor = dup(number)
        case .special: descriptor = open(path, O_WRONLY | O_CLOEXEC)
        case .file: descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw AtomicFileError(path: path, reason: special ? reason : "cannot create a file in \(directory.path) (\(reason))")
        }
        func writeAll(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
                    }
                    offset += written
                }
            }
        }
        do {
            if compressing ?? Gzip.names(path) {
                let deflater = Gzip.Deflater()
                try produce { bytes in try deflater.append(bytes, finish: false, output: writeAll) }
                try deflater.append([], finish: true, output: writeAll)
            } else {
                try produce(writeAll)
            }
        } catch {
            close(descriptor)
            if !special { unlink(temporary) }
            throw error
        }
        guard close(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if !special { unlink(temporary) }
            throw AtomicFileError(path: path, reason: reason)
        }
        if special { return }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicFileError(path: path, reason: reason)
        }
    }
}

extension AtomicFile {
    /// What a path leads to, through its links: a file (or none yet), replaced atomically; one
    /// of this process's descriptors (/dev/stdout, /dev/fd/3), written through; or a device, a
    /// pipe or a socket, written into as it is.
    public enum Destination: Equatable, Sendable {
        case file
        case descriptor(Int32)
        case special

        public init(_ path: String) {
            var current = path
            for _ in 0..<16 {
                if let number = Self.descriptorNumber(current) {
                    self = .descriptor(number)
                    return
                }
                var info = stat()
                guard lstat(current, &info) == 0 else { break }
                let type = info.st_mode & S_IFMT
                guard type == S_IFLNK else {
                    self = type == S_IFREG || type == S_IFDIR ? .file : .special
                    return
                }
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(current, &target, target.count - 1)
                guard length > 0 else { break }
                let link = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = link.hasPrefix("/") ? link : (current as NSString).deletingLastPathComponent + "/" + link
            }
            // A path that leads nowhere yet (or loops): what stat says of it, a file if nothing.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
                self = .special
            } else {
                self = .file
            }
        }

        /// N of /proc/self/fd/N, /proc/PID/fd/N (this process) or /dev/fd/N.
        private static func descriptorNumber(_ path: String) -> Int32? {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count >= 3, parts[parts.count - 2] == "fd", let number = Int32(parts[parts.count - 1]) else { return nil }
            let owner = parts.dropLast(2)
            let ours = owner == ["dev"] || owner == ["proc", "self"] || owner == ["proc", Substring(String(getpid()))]
            return ours ? number : nil
        }
    }

    /// Whether `path` leads to something other than a file to replace: a descriptor of this
    /// process, a device, a pipe or a socket.
    public static func isSpecial(_ path: String) -> Bool { Destination(path) != .file }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
