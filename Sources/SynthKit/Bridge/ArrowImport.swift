import CSynthABI

/// Arrow C Data Interface → Table. Accepts the column types of `synth_plugin.h` plus a few close
/// relatives (float32, int8–int32 and unsigned integers, large utf8 dictionaries, other timestamp
/// units), and reports anything else by column name.
public enum ArrowImport {
    public static func importTable(schema: UnsafePointer<ArrowSchema>, array: UnsafePointer<ArrowArray>) throws(ArrowImportError) -> Table {
        let format = String(cString: schema.pointee.format)
        guard format == "+s" else { throw .notAStruct(format: format) }
        guard schema.pointee.n_children == array.pointee.n_children else {
            throw .malformed("schema has \(schema.pointee.n_children) columns, array has \(array.pointee.n_children)")
        }
        let rows = Int(array.pointee.length)
        var columns: [Column] = []
        for index in 0..<Int(schema.pointee.n_children) {
            guard let childSchema = schema.pointee.children?[index], let childArray = array.pointee.children?[index] else {
                throw .malformed("column \(index) is NULL")
            }
            let name = childSchema.pointee.name.map { String(cString: $0) } ?? "column\(index + 1)"
            let offset = Int(array.pointee.offset)
            let column = try importColumn(name: name, schema: childSchema, array: childArray, parentOffset: offset, rows: rows)
            columns.append(column)
        }
        do { return try Table(columns: columns) } catch { throw .malformed(error.description) }
    }

    private static func importColumn(name: String, schema: UnsafePointer<ArrowSchema>, array: UnsafePointer<ArrowArray>,
                                     parentOffset: Int, rows: Int) throws(ArrowImportError) -> Column {
        let format = String(cString: schema.pointee.format)
        let offset = Int(array.pointee.offset) + parentOffset
        guard Int(array.pointee.length) - parentOffset >= rows else {
            throw .malformed("column '\(name)' has \(array.pointee.length) values for \(rows) rows")
        }
        let buffers = array.pointee.buffers
        func buffer(_ index: Int) throws(ArrowImportError) -> UnsafeRawPointer {
            guard Int(array.pointee.n_buffers) > index, let pointer = buffers?[index] else {
                throw .malformed("column '\(name)' lacks buffer \(index)")
            }
            return pointer
        }
        var missing: [Bool] = []
        if array.pointee.null_count != 0, let validity = buffers?[0] {
            let bits = validity.assumingMemoryBound(to: UInt8.self)
            missing = (0..<rows).map { row in
                let bit = row + offset
                return bits[bit >> 3] & (1 << UInt8(bit & 7)) == 0
            }
        }
        func numbers<T>(_ type: T.Type, _ convert: (T) -> Double) throws(ArrowImportError) -> [Double] {
            let base = try buffer(1).assumingMemoryBound(to: T.self)
            return (0..<rows).map { convert(base[$0 + offset]) }
        }
        func integers<T: BinaryInteger>(_ type: T.Type) throws(ArrowImportError) -> [Int64] {
            let base = try buffer(1).assumingMemoryBound(to: T.self)
            return (0..<rows).map { Int64(truncatingIfNeeded: base[$0 + offset]) }
        }
        if let dictionary = schema.pointee.dictionary {
            guard let dictionaryArray = array.pointee.dictionary else { throw .malformed("column '\(name)' has no dictionary values") }
            let levels = try importStrings(name: name, schema: dictionary, array: dictionaryArray)
            let indices: [Int64]
            switch format {
            case "c": indices = try integers(Int8.self)
            case "s": indices = try integers(Int16.self)
            case "i": indices = try integers(Int32.self)
            case "l": indices = try integers(Int64.self)
            default: throw .unsupported(column: name, format: format)
            }
            var codes = [Int32](repeating: 0, count: rows)
            for row in 0..<rows where missing.isEmpty || !missing[row] {
                guard indices[row] >= 0, indices[row] < Int64(levels.count) else {
                    throw .malformed("column '\(name)' row \(row) indexes level \(indices[row]) of \(levels.count)")
                }
                codes[row] = Int32(indices[row])
            }
            return Column(name: name, values: .categorical(codes: codes, levels: levels), missing: missing)
        }
        let values: ColumnValues
        switch format {
        case "g": values = .continuous(try numbers(Double.self) { $0 })
        case "f": values = .continuous(try numbers(Float.self) { Double($0) })
        case "l": values = .integer(try integers(Int64.self))
        case "i": values = .integer(try integers(Int32.self))
        case "s": values = .integer(try integers(Int16.self))
        case "c": values = .integer(try integers(Int8.self))
        case "L": values = .integer(try integers(UInt64.self))
        case "I": values = .integer(try integers(UInt32.self))
        case "S": values = .integer(try integers(UInt16.self))
        case "C": values = .integer(try integers(UInt8.self))
        case "b":
            let bits = try buffer(1).assumingMemoryBound(to: UInt8.self)
            values = .boolean((0..<rows).map { row in
                let bit = row + offset
                return bits[bit >> 3] & (1 << UInt8(bit & 7)) != 0
            })
        case "u", "U":
            let strings = try importStrings(name: name, schema: schema, array: array, rows: rows, parentOffset: parentOffset)
            let levels = Set(strings.enumerated().filter { missing.isEmpty || !missing[$0.offset] }.map(\.element)).sorted()
            let codeOf = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
            values = .categorical(codes: strings.enumerated().map { codeOf[$0.element] ?? 0 }, levels: levels)
        default:
            guard format.hasPrefix("ts"), format.count >= 4 else { throw .unsupported(column: name, format: format) }
            let unit = format[format.index(format.startIndex, offsetBy: 2)]
            let raw = try integers(Int64.self)
            let micros: [Int64]
            switch unit {
            case "s": micros = raw.map { $0 &* 1_000_000 }
            case "m": micros = raw.map { $0 &* 1_000 }
            case "u": micros = raw
            case "n": micros = raw.map { $0 / 1_000 }
            default: throw .unsupported(column: name, format: format)
            }
            values = .datetime(micros)
        }
        return Column(name: name, values: values, missing: missing)
    }

    private static func importStrings(name: String, schema: UnsafePointer<ArrowSchema>, array: UnsafePointer<ArrowArray>,
                                      rows: Int? = nil, parentOffset: Int = 0) throws(ArrowImportError) -> [String] {
        let format = String(cString: schema.pointee.format)
        let count = rows ?? Int(array.pointee.length)
        let offset = Int(array.pointee.offset) + parentOffset
        guard array.pointee.n_buffers >= 3, let offsetsBuffer = array.pointee.buffers?[1] else {
            throw .malformed("string values of column '\(name)' lack their buffers")
        }
        let data = array.pointee.buffers?[2]?.assumingMemoryBound(to: UInt8.self)
        func string(_ start: Int, _ end: Int) -> String {
            guard end > start, let data else { return "" }
            return String(decoding: UnsafeBufferPointer(start: data + start, count: end - start), as: UTF8.self)
        }
        switch format {
        case "u":
            let offsets = offsetsBuffer.assumingMemoryBound(to: Int32.self)
            return (0..<count).map { string(Int(offsets[$0 + offset]), Int(offsets[$0 + offset + 1])) }
        case "U":
            let offsets = offsetsBuffer.assumingMemoryBound(to: Int64.self)
            return (0..<count).map { string(Int(offsets[$0 + offset]), Int(offsets[$0 + offset + 1])) }
        default:
            throw .unsupported(column: name, format: format)
        }
    }
}

public enum ArrowImportError: Error, CustomStringConvertible, Equatable {
    case notAStruct(format: String)
    case unsupported(column: String, format: String)
    case malformed(String)

    public var description: String {
        switch self {
        case .notAStruct(let format): "a table must be an Arrow struct array (format \"+s\"), got \"\(format)\""
        case .unsupported(let column, let format): "column '\(column)' has Arrow format \"\(format)\", which SynthLab does not read"
        case .malformed(let detail): "malformed Arrow table: \(detail)"
        }
    }
}
