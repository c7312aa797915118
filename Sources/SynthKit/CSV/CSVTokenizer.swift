/// Splits CSV bytes (RFC 4180: quoted fields with doubled quotes, LF or CRLF line ends, optional
/// final newline) into records of fields, remembering the line each record starts on.
struct CSVTokenizer {
    struct Record {
        var line: Int
        var fields: [String]
    }

    let bytes: [UInt8]
    let file: String
    let delimiter: UInt8
    let trimWhitespace: Bool

    func records() throws(CSVError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        // An unquoted field is the bytes from `fieldStart` to its end, made into a string once; a
        // quoted one is collected in `field`, its doubled quotes undone.
        var fieldStart = 0
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var index = 0
        var quoted = false          // inside a quoted field
        var wasQuoted = false       // the current field started with a quote
        var quoteLine = 0
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let count = bytes.count

        func finishField(at end: Int) {
            if wasQuoted {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                fields.append(makeString(from: fieldStart, to: end))
            }
            wasQuoted = false
        }
        func finishRecord(at end: Int) {
            finishField(at: end)
            // A line with nothing on it is skipped, as pandas does.
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < count {
            let byte = bytes[index]
            if quoted {
                if byte == quote {
                    if index + 1 < count, bytes[index + 1] == quote {
                        field.append(quote)
                        index += 2
                        continue
                    }
                    quoted = false
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
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
            case delimiter:
                finishField(at: index)
                fieldStart = index + 1
            case lf, cr:
                finishRecord(at: index)
                if byte == cr, index + 1 < count, bytes[index + 1] == lf { index += 1 }
                line += 1
                recordLine = line
                fieldStart = index + 1
            default:
                if wasQuoted, byte != 32, byte != 9 {
                    throw CSVError(file: file, line: line, problem: .unexpectedQuote)
                }
            }
            index += 1
        }
        if quoted { throw CSVError(file: file, line: quoteLine, problem: .unterminatedQuote) }
        if (!wasQuoted && fieldStart < count) || !fields.isEmpty || wasQuoted { finishRecord(at: count) }
        return records
    }

    /// The unquoted field `bytes[start..<end]`, without its surrounding blanks when trimming.
    private func makeString(from start: Int, to end: Int) -> String {
        var start = start, end = end
        if trimWhitespace {
            while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        }
        // The whole file was validated as UTF-8 before tokenizing.
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// The 1-based line of the first byte that UTF-8 text cannot hold (a byte that is not valid UTF-8,
/// or a NUL) and which of the two it is; nil if all of `bytes` is UTF-8 text.
func firstNonTextByte(_ bytes: [UInt8]) -> (line: Int, problem: CSVError.Problem)? {
    var index = 0, line = 1
    while index < bytes.count {
        let byte = bytes[index]
        if byte < 0x80 {
            if byte == 10 { line += 1 } else if byte == 0 { return (line, .nulByte) }
            index += 1
            continue
        }
        let length: Int, minimum: UInt32
        switch byte {
        case 0xC2...0xDF: length = 2; minimum = 0x80
        case 0xE0...0xEF: length = 3; minimum = 0x800
        case 0xF0...0xF4: length = 4; minimum = 0x10000
        default: return (line, .invalidUTF8)
        }
        guard index + length <= bytes.count else { return (line, .invalidUTF8) }
        var scalar = UInt32(byte) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { return (line, .invalidUTF8) }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return (line, .invalidUTF8) }
        index += length
    }
    return nil
}
