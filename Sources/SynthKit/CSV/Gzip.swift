import CZlib

/// gzip (RFC 1952) through the system's zlib: CSV files compressed with gzip are read as their
/// text, and a table written to a path that ends in `.gz` is compressed.
public enum Gzip {
    public enum Failure: Error, Equatable {
        /// The data ends before its compressed stream does.
        case truncated
        /// zlib's reason (a bad header, a check value that does not match, ...).
        case damaged(String)
        /// The data holds more than the limit it was decompressed with.
        case exceeds(Int)

        public var reason: String {
            switch self {
            case .truncated: "the gzip data ends early (the file is truncated)"
            case .damaged(let why): "the gzip data is damaged (\(why))"
            case .exceeds(let limit): "once decompressed, the gzip data holds more than \(MemoryNeeds.shown(Double(limit))), more than this machine's memory can read"
            }
        }
    }

    /// Whether `bytes` start as gzip data does (its two magic bytes).
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Whether a path names a gzip file by its extension.
    public static func names(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".gz")
    }

    /// The bytes that gzip data holds; members written one after another (`cat a.gz b.gz`) come
    /// out one after another, as `gzip -d` gives them. Zero bytes after the last member (padding)
    /// are ignored; anything else there is damage.
    public static func decompress(_ input: [UInt8], limit: Int = .max) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: the largest window, and a gzip or zlib header detected from the data.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .damaged("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 4, limit))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var failure: Failure?
        input.withUnsafeBufferPointer { source in
            chunk.withUnsafeMutableBufferPointer { out in
                var offset = 0
                while true {
                    feed(&stream, from: source, offset: &offset)
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                    if output.count > limit { failure = .exceeds(limit); return }
                    let left = Int(stream.avail_in) + source.count - offset
                    switch status {
                    case Z_STREAM_END:
                        if left == 0 { return }
                        let rest = source[(source.count - left)...]
                        if rest.allSatisfy({ $0 == 0 }) { return }
                        guard rest.count >= 2, rest[rest.startIndex] == 0x1F, rest[rest.startIndex + 1] == 0x8B else {
                            failure = .damaged("\(left) bytes after the end of the compressed data")
                            return
                        }
                        inflateReset(&stream)
                    case Z_OK:
                        // No input left and room left for output: the stream wants bytes that are not there.
                        if left == 0, stream.avail_out > 0 { failure = .truncated; return }
                    case Z_BUF_ERROR where left == 0:
                        failure = .truncated
                        return
                    default:
                        failure = .damaged(stream.msg.map { String(cString: $0) } ?? "zlib status \(status)")
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Gives zlib the next piece of `source` from `offset` once it has used the last: zlib counts
    /// its input in 32-bit lengths, so a larger file goes in pieces.
    fileprivate static func feed(_ stream: inout z_stream, from source: UnsafeBufferPointer<UInt8>, offset: inout Int) {
        guard stream.avail_in == 0, offset < source.count else { return }
        let count = min(source.count - offset, 1 << 30)
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + offset)
        stream.avail_in = UInt32(count)
        offset += count
    }

    /// `input` as one gzip member (zlib's default level). The header carries no name and no
    /// time, so the same bytes always compress to the same file.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        let deflater = Deflater()
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 3 + 64)
        deflater.append(input, finish: true) { output += $0 }
        return output
    }

    /// One gzip member made from bytes given in pieces: each piece's compressed bytes go to
    /// `output` as zlib makes them, and the last call (`finish`) ends the member.
    public final class Deflater {
        private var stream = z_stream()
        private var chunk = [UInt8](repeating: 0, count: 1 << 18)

        public init() {
            // 15 + 16: the largest window, with a gzip header and trailer.
            guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                fatalError("zlib's deflateInit2 failed: out of memory")
            }
        }

        deinit { deflateEnd(&stream) }

        public func append(_ input: [UInt8], finish: Bool, output: ([UInt8]) throws -> Void) rethrows {
            try input.withUnsafeBufferPointer { source in
                var offset = 0
                while true {
                    Gzip.feed(&stream, from: source, offset: &offset)
                    let last = finish && offset == source.count
                    let made: [UInt8]
                    let status: Int32
                    (status, made) = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        let status = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                        return (status, Array(out[0..<(out.count - Int(stream.avail_out))]))
                    }
                    if !made.isEmpty { try output(made) }
                    if status == Z_STREAM_END { return }
                    precondition(status == Z_OK || status == Z_BUF_ERROR, "zlib's deflate failed with status \(status)")
                    // Without finishing, a piece is done once zlib has taken it all and has room left.
                    if !last, stream.avail_in == 0, offset == source.count, stream.avail_out > 0 { return }
                }
            }
        }
    }
}
