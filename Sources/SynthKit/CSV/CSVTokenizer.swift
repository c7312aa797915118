/// Where one field's bytes are, in 8 bytes: a range of the file's bytes, or, for a quoted field
/// whose doubled quotes were undone, of the tokenizer's `copies`, counted from where its record
/// starts in them (`CSVTokens.bases`).
struct FieldSpan {
    var offset: UInt32
    /// The length in bytes, and in the top bit whether the field is in `copies`.
    var packedCount: UInt32

    var count: Int { Int(packedCount & 0x7FFF_FFFF) }
    var copied: Bool { packedCount & 0x8000_0000 != 0 }
}

/// Every field of a CSV text, record after record, as spans of bytes: no string is made for a
/// field until a reader asks for one.
struct CSVTokens {
    var spans: [FieldSpan] = []
    /// Record r's fields are `spans[recordStarts[r]..<recordStarts[r + 1]]`.
    var recordStarts: [Int] = [0]
    /// The line each record starts on (1-based).
    var lines: [Int] = []
    /// Where each record starts in the file's bytes, and in `copies`.
    var bases: [RecordBase] = []
    /// The bytes of quoted fields that held a doubled quote, undone.
    var copies: [UInt8] = []

    var recordCount: Int { lines.count }

    func fieldCount(ofRecord record: Int) -> Int { recordStarts[record + 1] - recordStarts[record] }
}

/// Where a record starts in the file's bytes and in the tokenizer's copies.
struct RecordBase {
    var bytes: Int
    var copies: Int
}

/// Splits CSV bytes (RFC 4180: quoted fields with doubled quotes, LF or CRLF line ends, optional
/// final newline) into records of fields, remembering the line each record starts on.
struct CSVTokenizer {
    let bytes: [UInt8]
    let file: String
    let delimiter: UInt8
    let trimWhitespace: Bool

    func tokens() throws(CSVError) -> CSVTokens {
        var tokens = CSVTokens()
        // An unquoted field is the bytes from `fieldStart` to its end; a quoted one the bytes
        // between its quotes, copied (its doubled quotes undone) only when it holds one.
        var fieldStart = 0
        var quotedStart = 0, quotedEnd = 0
        var copyStart = -1          // where the current quoted field's copy starts, if it has one
        var line = 1, recordLine = 1
        var recordBase = 0, copyBase = 0
        var index = 0
        var quoted = false          // inside a quoted field
        var wasQuoted = false       // the current field started with a quote
        var quoteLine = 0
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let count = bytes.count

        func append(_ start: Int, _ end: Int, copied: Bool) throws(CSVError) {
            let offset = start - (copied ? copyBase : recordBase)
            guard offset <= Int(UInt32.max), end - start < 0x8000_0000 else {
                throw CSVError(file: file, line: recordLine, problem: .recordTooLong)
            }
            tokens.spans.append(FieldSpan(offset: UInt32(offset), packedCount: UInt32(end - start) | (copied ? 0x8000_0000 : 0)))
        }
        func finishField(at end: Int) throws(CSVError) {
            if wasQuoted {
                if copyStart >= 0 {
                    try append(copyStart, tokens.copies.count, copied: true)
                } else {
                    try append(quotedStart, quotedEnd, copied: false)
                }
                copyStart = -1
            } else {
                var start = fieldStart, end = end
                if trimWhitespace {
                    while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
                    while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
                }
                try append(start, end, copied: false)
            }
            wasQuoted = false
        }
        func finishRecord(at end: Int) throws(CSVError) {
            try finishField(at: end)
            let first = tokens.recordStarts.last!
            // A line with nothing on it is skipped, as pandas does.
            if tokens.spans.count - first == 1, tokens.spans[first].count == 0 {
                tokens.spans.removeLast()
                return
            }
            tokens.recordStarts.append(tokens.spans.count)
            tokens.lines.append(recordLine)
            tokens.bases.append(RecordBase(bytes: recordBase, copies: copyBase))
        }

        // Eight bytes at a time over the plain bytes of a field: those that are none of the
        // delimiter, a quote or a line end outside quotes, or none of a quote or a line feed
        // inside quotes (while nothing is copied).
        let delimiters = ByteWords.repeating(delimiter), quotes = ByteWords.repeating(quote)
        let crs = ByteWords.repeating(cr), lfs = ByteWords.repeating(lf)
        while index < count {
            if index + 8 <= count, !wasQuoted || (quoted && copyStart < 0) {
                let word = bytes.withUnsafeBytes { ByteWords.load($0, at: index) }
                let special = ByteWords.has(word, quotes) || ByteWords.has(word, lfs)
                    || (!quoted && (ByteWords.has(word, delimiters) || ByteWords.has(word, crs)))
                if !special {
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            if quoted {
                if byte == quote {
                    if index + 1 < count, bytes[index + 1] == quote {
                        if copyStart < 0 {
                            copyStart = tokens.copies.count
                            tokens.copies.append(contentsOf: bytes[quotedStart..<index])
                        }
                        tokens.copies.append(quote)
                        index += 2
                        continue
                    }
                    quoted = false
                    quotedEnd = index
                } else {
                    if byte == lf { line += 1 }
                    if copyStart >= 0 { tokens.copies.append(byte) }
                }
                index += 1
                continue
            }
            switch byte {
            case quote:
                let blankSoFar = !wasQuoted && bytes[fieldStart..<index].allSatisfy { $0 == 32 || $0 == 9 }
                guard blankSoFar else { throw CSVError(file: file, line: line, problem: .unexpectedQuote) }
                quoted = true
                wasQuoted = true
                quoteLine = line
                quotedStart = index + 1
            case delimiter:
                try finishField(at: index)
                fieldStart = index + 1
            case lf, cr:
                try finishRecord(at: index)
                if byte == cr, index + 1 < count, bytes[index + 1] == lf { index += 1 }
                line += 1
                recordLine = line
                fieldStart = index + 1
                recordBase = fieldStart
                copyBase = tokens.copies.count
            default:
                if wasQuoted, byte != 32, byte != 9 {
                    throw CSVError(file: file, line: line, problem: .unexpectedQuote)
                }
            }
            index += 1
        }
        if quoted { throw CSVError(file: file, line: quoteLine, problem: .unterminatedQuote) }
        let openFields = tokens.spans.count - tokens.recordStarts.last!
        if (!wasQuoted && fieldStart < count) || openFields > 0 || wasQuoted { try finishRecord(at: count) }
        return tokens
    }
}

/// The 1-based line of the first byte that UTF-8 text cannot hold (a byte that is not valid UTF-8,
/// or a NUL) and which of the two it is; nil if all of `bytes` is UTF-8 text.
func firstNonTextByte(_ bytes: [UInt8]) -> (line: Int, problem: CSVError.Problem)? {
    guard let (index, problem) = firstNonTextByteIndex(bytes) else { return nil }
    // The line is counted only for a file that has a problem.
    var line = 1
    for byte in bytes[..<index] where byte == 10 { line += 1 }
    return (line, problem)
}

/// Where the first byte that UTF-8 text cannot hold is. Eight bytes at a time while they are
/// ASCII without a NUL, as most of a CSV file is.
private func firstNonTextByteIndex(_ bytes: [UInt8]) -> (Int, CSVError.Problem)? {
    bytes.withUnsafeBytes { raw in
        let count = raw.count
        var index = 0
        while index < count {
            if index + 8 <= count {
                if ByteWords.isPlainASCII(ByteWords.load(raw, at: index)) {
                    index += 8
                    continue
                }
            }
            let byte = raw[index]
            if byte < 0x80 {
                if byte == 0 { return (index, .nulByte) }
                index += 1
                continue
            }
            let length: Int, minimum: UInt32
            switch byte {
            case 0xC2...0xDF: length = 2; minimum = 0x80
            case 0xE0...0xEF: length = 3; minimum = 0x800
            case 0xF0...0xF4: length = 4; minimum = 0x10000
            default: return (index, .invalidUTF8)
            }
            guard index + length <= count else { return (index, .invalidUTF8) }
            var scalar = UInt32(byte) & (0xFF >> (length + 1))
            for offset in 1..<length {
                let continuation = raw[index + offset]
                guard continuation & 0xC0 == 0x80 else { return (index, .invalidUTF8) }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return (index, .invalidUTF8) }
            index += length
        }
        return nil
    }
}

