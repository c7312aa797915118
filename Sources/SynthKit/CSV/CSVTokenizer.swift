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
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var index = 0
        var quoted = false          // inside a quoted field
        var wasQuoted = false       // the current field started with a quote
        var quoteLine = 0
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        func finishField() {
            fields.append(makeString(field, trim: !wasQuoted))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func finishRecord() {
            finishField()
            // A line with nothing on it is skipped, as pandas does.
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote {
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
                let blankSoFar = field.allSatisfy { $0 == 32 || $0 == 9 }
                guard blankSoFar, !wasQuoted else { throw CSVError(file: file, line: line, problem: .unexpectedQuote) }
                field.removeAll(keepingCapacity: true)
                quoted = true
                wasQuoted = true
                quoteLine = line
            case delimiter:
                finishField()
            case lf, cr:
                finishRecord()
                if byte == cr, index + 1 < bytes.count, bytes[index + 1] == lf { index += 1 }
                line += 1
                recordLine = line
            default:
                if wasQuoted, byte != 32, byte != 9 {
                    throw CSVError(file: file, line: line, problem: .unexpectedQuote)
                }
                if !wasQuoted { field.append(byte) }
            }
            index += 1
        }
        if quoted { throw CSVError(file: file, line: quoteLine, problem: .unterminatedQuote) }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { finishRecord() }
        return records
    }

    private func makeString(_ field: [UInt8], trim: Bool) -> String {
        var start = 0, end = field.count
        if trim && trimWhitespace {
            while start < end, field[start] == 32 || field[start] == 9 { start += 1 }
            while end > start, field[end - 1] == 32 || field[end - 1] == 9 { end -= 1 }
        }
        // The whole file was validated as UTF-8 before tokenizing.
        return String(decoding: field[start..<end], as: UTF8.self)
    }
}

/// The 1-based line of the first byte that is not valid UTF-8, or nil if all of `bytes` is valid.
func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int? {
    var index = 0, line = 1
    while index < bytes.count {
        let byte = bytes[index]
        if byte < 0x80 {
            if byte == 10 { line += 1 }
            index += 1
            continue
        }
        let length: Int, minimum: UInt32
        switch byte {
        case 0xC2...0xDF: length = 2; minimum = 0x80
        case 0xE0...0xEF: length = 3; minimum = 0x800
        case 0xF0...0xF4: length = 4; minimum = 0x10000
        default: return line
        }
        guard index + length <= bytes.count else { return line }
        var scalar = UInt32(byte) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { return line }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return line }
        index += length
    }
    return nil
}
