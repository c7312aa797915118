import Foundation

/// Every byte of a file, read with one `open`, or why there are none: what CSV tables, session
/// scripts and model files are read with.
public enum FileBytes {
    public enum Failure: Error, Equatable {
        case missing
        case folder
        case denied
        /// A pipe or device that gave a NUL byte where text was expected.
        case binary
        /// More bytes than the limit read with: the file's size (`whole`), or what a pipe gave
        /// before it was refused.
        case tooLarge(UInt64, whole: Bool)
        case other(String)

        /// The failure in words ("no such file", "it is a folder", ...).
        public var reason: String {
            switch self {
            case .missing: "no such file"
            case .folder: "it is a folder"
            case .denied: "permission denied"
            case .binary: "it holds binary data (a NUL byte)"
            case .tooLarge(let size, let whole): "it holds \(whole ? "" : "more than ")\(MemoryNeeds.shown(Double(size)))"
            case .other(let text): text
            }
        }
    }

    /// Reads `path` to its end: a regular file, or a pipe such as /dev/stdin or a shell's
    /// `<(zcat adult.csv.gz)`. With `text`, anything but a regular file is refused at its first
    /// NUL byte, which no text holds (so /dev/zero is not read forever), unless it is gzip data.
    /// A regular file larger than `limit` bytes is refused before it is read, a pipe as soon as
    /// it has given more.
    public static func read(_ path: String, text: Bool, limit: UInt64 = .max) throws(Failure) -> [UInt8] {
        func failure(_ code: Int32) -> Failure {
            switch code {
            case ENOENT: .missing
            case EACCES: .denied
            case EISDIR: .folder
            default: .other(String(cString: strerror(code)))
            }
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(errno) }
        if info.st_mode & S_IFMT == S_IFDIR { throw .folder }
        let regular = info.st_mode & S_IFMT == S_IFREG
        if regular, UInt64(info.st_size) > limit { throw .tooLarge(UInt64(info.st_size), whole: true) }
        var bytes: [UInt8] = []
        if regular { bytes.reserveCapacity(Int(info.st_size)) }
        // Whether a pipe gives gzip data, known from its first bytes.
        var compressed: Bool?
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            // gzip data is binary, and reads as the text it holds (`CSVReader`).
            if compressed == nil { compressed = Gzip.isCompressed(Array(chunk[0..<min(count, 2)])) }
            if text, !regular, compressed == false, chunk[0..<count].contains(0) { throw .binary }
            bytes.append(contentsOf: chunk[0..<count])
            if UInt64(bytes.count) > limit { throw .tooLarge(limit, whole: false) }
        }
    }
}
